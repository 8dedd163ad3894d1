"""Issue 3 benchmark: LLM-layer throughput against a stand-in that answers in 100 ms.

Runs N completions through `promptops.llm` (real anthropic SDK, response cache on) at
several concurrency limits and compares the wall time with the floor
ceil(N / concurrency) * 100 ms; reports the CPU time the client side spends per call
(promptops + SDK, measured on the event-loop thread; the stand-in runs in another
process), the CPU of the promptops layer alone (same calls through a provider that
answers instantly), and a re-run of the last batch from the cache, counting the requests
that still reach the stand-in.

    PYTHONPATH=src:. python bench/llm_throughput.py           # N=2000 at 1, 8, 32, 64 (~4 min)
    PYTHONPATH=src:. python bench/llm_throughput.py --quick   # N=400 at 8, 32, 64 (< 1 min)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.standins.anthropic_server import STANDIN_API_KEY  # noqa: E402
from tests.standins.process import standin_stats, start_standin_process  # noqa: E402

from promptops.config import load_config  # noqa: E402
from promptops.llm.cache import ResponseCache  # noqa: E402
from promptops.llm.client import LLMClient, client_from_config  # noqa: E402
from promptops.llm.types import Completion, CompletionRequest  # noqa: E402

DELAY_S = 0.1


@dataclass
class Row:
    label: str
    n: int
    concurrency: int
    wall_s: float
    floor_s: float | None
    cpu_ms_per_call: float
    requests: int
    standin_cpu_ms_per_call: float | None = None

    def cells(self) -> list[str]:
        floor = f"{self.floor_s:.2f}" if self.floor_s is not None else "-"
        ratio = f"{self.wall_s / self.floor_s:.3f}" if self.floor_s else "-"
        return [
            self.label,
            str(self.n),
            str(self.concurrency),
            f"{self.wall_s:.2f}",
            floor,
            ratio,
            f"{self.cpu_ms_per_call:.3f}",
            "-" if self.standin_cpu_ms_per_call is None else f"{self.standin_cpu_ms_per_call:.3f}",
            str(self.requests),
        ]


def start_standin() -> tuple[subprocess.Popen[str], str]:
    return start_standin_process("anthropic_server", DELAY_S)


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of another process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def standin_requests(url: str) -> int:
    return int(standin_stats(url)["requests"])


def requests_for(tag: str, n: int) -> list[CompletionRequest]:
    return [
        CompletionRequest(
            model="claude-sonnet-5-5",
            system="You are a support agent.",
            messages=({"role": "user", "content": f"{tag} question {i}"},),
            params={"max_tokens": 64},
        )
        for i in range(n)
    ]


async def run_batch(client: LLMClient, requests: list[CompletionRequest]) -> tuple[float, float]:
    """Wall seconds and event-loop-thread CPU seconds for all requests at the client's limit."""
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        results = await asyncio.gather(*(client.complete(r) for r in requests))
    finally:
        await client.aclose()
    assert len(results) == len(requests)
    return time.perf_counter() - wall, time.thread_time() - cpu


def make_config(root: Path, url: str, concurrency: int):
    provider = {
        "name": "anthropic",
        "model": "claude-sonnet-5-5",
        "base_url": url,
        "max_concurrency": concurrency,
        "max_retries": 0,
        "timeout_s": 30,
    }
    (root / ".promptops.yaml").write_text(yaml.safe_dump({"provider": provider}), encoding="utf-8")
    return load_config(root)


class InstantProvider:
    """Answers at once: what remains is the CPU of the promptops layer itself."""

    name = "instant"
    base_url = None

    async def complete(self, request: CompletionRequest) -> Completion:
        await asyncio.sleep(0)
        return Completion(
            text="ok", input_tokens=10, output_tokens=2, provider=self.name, model=request.model
        )

    async def aclose(self) -> None:
        return None


def measure(n: int, levels: list[int], root: Path, url: str, standin_pid: int) -> list[Row]:
    rows = []
    for c in levels:
        client = client_from_config(make_config(root, url, c))
        before, standin_before = standin_requests(url), process_cpu_s(standin_pid)
        wall, cpu = asyncio.run(run_batch(client, requests_for(f"c{c}", n)))
        standin_after = process_cpu_s(standin_pid)
        standin_cpu = (
            (standin_after - standin_before) * 1000 / n if standin_after and standin_before else None
        )
        floor = math.ceil(n / c) * DELAY_S
        rows.append(
            Row(
                "stand-in, 100 ms",
                n,
                c,
                wall,
                floor,
                cpu * 1000 / n,
                standin_requests(url) - before,
                standin_cpu,
            )
        )
    last = levels[-1]
    client = client_from_config(make_config(root, url, last))
    before = standin_requests(url)
    wall, cpu = asyncio.run(run_batch(client, requests_for(f"c{last}", n)))
    assert client.ledger.cached_calls == n
    rows.append(Row("cached re-run", n, last, wall, None, cpu * 1000 / n, standin_requests(url) - before))
    instant = LLMClient(InstantProvider(), max_concurrency=last, cache=ResponseCache(root / "instant.sqlite"))
    wall, cpu = asyncio.run(run_batch(instant, requests_for("instant", n)))
    rows.append(Row("promptops layer only", n, last, wall, None, cpu * 1000 / n, 0))
    return rows


def print_table(rows: list[Row]) -> None:
    header = [
        "run",
        "N",
        "conc",
        "wall s",
        "floor s",
        "wall/floor",
        "CPU ms/call",
        "stand-in CPU ms/call",
        "reached stand-in",
    ]
    table = [header, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for i, line in enumerate(table):
        print("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="N=400 and skip concurrency 1 (under a minute)")
    args = parser.parse_args()
    n, levels = (400, [8, 32, 64]) if args.quick else (2000, [1, 8, 32, 64])
    os.environ["ANTHROPIC_API_KEY"] = STANDIN_API_KEY
    os.environ.pop("PROMPTOPS_CACHE", None)
    proc, url = start_standin()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = measure(n, levels, Path(tmp), url, proc.pid)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    print(
        f"LLM throughput: {n} completions per run, stand-in replies after {DELAY_S * 1000:.0f} ms; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        "CPU ms/call: the event-loop thread of this process (promptops + anthropic SDK + httpx2); "
        "'promptops layer only': the same client with a provider that answers at once"
    )
    if args.quick:
        print("quick mode: N reduced to 400, concurrency 1 skipped (it would take N x 100 ms)")
    print_table(rows)


if __name__ == "__main__":
    main()
