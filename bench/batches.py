"""Issue 15 benchmark: Message Batches against the stand-in, with a killed run resumed.

1. A worker process sends N samples through `promptops.llm` with `batch=True` (the real
   anthropic SDK, `client.messages.batches`). The requests go out in chunks; the stand-in
   holds every batch "in progress", and once all batches are created and being polled,
   the worker is killed (SIGKILL: no clean-up of any kind).
2. The batches end while nobody watches. A second worker, same repository and command,
   collects them: the recorded batch ids are resumed, nothing is submitted again.
3. The first K of the same samples are sent directly (no batch, no cache) in a third
   worker, to price the same requests at the standard rate side by side.

The stand-in counts what it would bill (succeeded batch requests plus direct calls):
"paid twice" is that count minus the distinct samples. The API takes up to 100,000
requests (256 MB) per batch; to exercise chunking at this size, the stand-in and the
client both use a chunk limit of N/4 requests (the `--chunk` override), so the run
creates 4 batches.

    PYTHONPATH=src:. python bench/batches.py            # N=20,000, K=2,000
    PYTHONPATH=src:. python bench/batches.py --quick    # N=2,000, K=200 (< 1 min)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.standins.anthropic_server import STANDIN_API_KEY, AnthropicStandin  # noqa: E402

POLL_S = 0.2
MODEL = "claude-sonnet-5-5"


def requests(n: int) -> list:
    from promptops.llm.types import CompletionRequest

    return [
        CompletionRequest(
            model=MODEL,
            system="You are a support agent. Answer in one sentence.",
            messages=({"role": "user", "content": f"Customer {i}: where is order A{i:05d}?"},),
            params={"max_tokens": 128, "temperature": 0},
        )
        for i in range(n)
    ]


def worker(args: argparse.Namespace) -> None:
    """One `promptops.llm` run in its own process; prints a JSON summary on stdout."""
    from dataclasses import replace

    from promptops.config import load_config
    from promptops.llm.client import client_from_config

    repo = Path(args.repo)
    repo.mkdir(parents=True, exist_ok=True)
    config_data = {
        "provider": {"name": "anthropic", "model": MODEL, "base_url": args.url, "max_concurrency": 32},
        "batch": {"poll_seconds": POLL_S},
        "cache": {"enabled": not args.direct},
    }
    (repo / ".promptops.yaml").write_text(yaml.safe_dump(config_data), encoding="utf-8")
    polls = []
    client = client_from_config(load_config(repo), batch=not args.direct, on_batch=polls.append)
    if client.batches is not None:
        client.batches.settings = replace(client.batches.settings, max_requests=args.chunk)

    async def run() -> list:
        try:
            return await asyncio.gather(*(client.complete(r) for r in requests(args.samples)))
        finally:
            await client.aclose()

    started = time.perf_counter()
    done = asyncio.run(run())
    resumed = polls[-1].resumed if polls else 0
    print(
        json.dumps(
            {
                "wall_s": time.perf_counter() - started,
                "costs": [c.cost_usd for c in done],
                "batched": sum(c.batched for c in done),
                "resumed": resumed,
            }
        )
    )


def spawn(url: str, repo: Path, samples: int, chunk: int, *, direct: bool = False) -> subprocess.Popen:
    command = [sys.executable, __file__, "--worker", "--url", url, "--repo", str(repo)]
    command += ["--samples", str(samples), "--chunk", str(chunk)] + (["--direct"] if direct else [])
    env = {**os.environ, "ANTHROPIC_API_KEY": STANDIN_API_KEY, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"worker failed ({proc.returncode}):\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def kill_mid_poll(standin: AnthropicStandin, repo: Path, n: int, chunk: int) -> tuple[float, int]:
    """Start the batched run; SIGKILL it once every batch is created and polled a few times."""
    expected = -(-n // chunk)
    started = time.perf_counter()
    proc = spawn(standin.url, repo, n, chunk)
    folder = repo / ".promptops" / "batches"
    while len(list(folder.glob("*.json"))) < expected:
        if proc.poll() is not None:
            raise SystemExit(f"worker ended before it was killed:\n{proc.communicate()[1][-3000:]}")
        time.sleep(0.05)
    time.sleep(3 * POLL_S)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return time.perf_counter() - started, len(list(folder.glob("*.json")))


def print_table(rows: list[tuple]) -> None:
    header = ("run", "samples", "batches created", "requests paid", "paid twice", "wall s", "cost")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [
            str(c).rjust(w) if i else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 samples instead of 20,000")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--direct", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--repo", help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--chunk", type=int, default=0, help="requests per batch (default: samples / 4)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args)
        return
    n, k = (2_000, 200) if args.quick else (20_000, 2_000)
    chunk = args.chunk or n // 4
    standin = AnthropicStandin(batch_delay_s=3600.0).start()
    standin.batches.max_requests = chunk  # the stand-in enforces the same chunk limit as the client
    with tempfile.TemporaryDirectory(prefix="promptops-bench-batches-") as tmp:
        repo = Path(tmp) / "repo"
        killed_s, pending = kill_mid_poll(standin, repo, n, chunk)
        created, paid_before = standin.batches.creates, standin.batches.paid
        standin.batches.delay_s = 0.0  # the batches end while no promptops process is running
        resumed = finish(spawn(standin.url, repo, n, chunk))
        created_after, paid_batch = standin.batches.creates, standin.batches.paid
        direct_before = standin.request_count
        direct = finish(spawn(standin.url, Path(tmp) / "direct", k, chunk, direct=True))
        direct_calls = standin.request_count - direct_before
    standin.stop()

    paid_twice = paid_batch + direct_before - n
    ratio = sum(resumed["costs"][:k]) / sum(direct["costs"])
    resumed_cost, direct_cost = f"${sum(resumed['costs']):.4f}", f"${sum(direct['costs']):.4f}"
    print_table(
        [
            ("batched, killed mid-poll", n, created, paid_before, "-", f"{killed_s:.1f}", "-"),
            (
                "same command, resumed",
                n,
                created_after - created,
                paid_batch - paid_before,
                paid_twice,
                f"{resumed['wall_s']:.1f}",
                resumed_cost,
            ),
            ("direct, first K samples", k, 0, direct_calls, "-", f"{direct['wall_s']:.1f}", direct_cost),
        ]
    )
    print()
    print(
        f"chunk limit: {chunk:,} requests per batch (API: 100,000 / 256 MB); {created} batches, {n:,} samples"
    )
    print(
        f"pending-batch records left by the killed run: {pending}; resumed requests: {resumed['resumed']:,}"
    )
    print(
        f"answered by batches on resume: {resumed['batched']:,} of {n:,}; requests paid twice: {paid_twice}"
    )
    print(f"cost of the same {k:,} samples, batch / direct: {ratio:.3f} (goal 0.500)")
    ok = paid_twice == 0 and created_after == created and abs(ratio - 0.5) < 1e-6
    print("goals met" if ok else "GOALS NOT MET")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
