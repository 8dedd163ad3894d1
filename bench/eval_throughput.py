"""Benchmark: eval runner throughput against the Messages-API stand-in.

500 cases x 2 prompt sets (base and head, one run sharing one client) through the real
`anthropic` SDK to the stand-in (a separate process, fixed 100 ms per reply) with
concurrency 32 and the response cache off. Prints, side by side in one run: wall time,
the limit `ceil(calls / 32) * 100 ms` (what a perfect scheduler achieves), their ratio, and
the process's peak memory (ru_maxrss).

Targets (issue 4): wall time within 15% of the limit; peak memory under 200 MB.
Also checks whether promptfoo could run the same suite (it needs Node 22; not installed here).

Usage: python bench/eval_throughput.py [--quick] [--runs N]
(--quick: one run instead of three; the suite is the same.)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.standins.anthropic_server import STANDIN_API_KEY  # noqa: E402

from promptops.config import load_config  # noqa: E402
from promptops.evals import PromptSet, load_suite, run_evals  # noqa: E402
from promptops.llm.client import LLMClient, client_from_config  # noqa: E402
from promptops.llm.types import Completion, CompletionRequest  # noqa: E402
from promptops.repo.agents import load_agent  # noqa: E402

CASES = 500
CONCURRENCY = 32
REPLY_S = 0.1
AGENT = "bench-agent"


def write_repo(root: Path, base_url: str) -> None:
    folder = root / "prompts" / AGENT
    (folder / "evals").mkdir(parents=True)
    (root / ".promptops.yaml").write_text(
        f"provider: {{name: anthropic, model: claude-sonnet-4-5, base_url: '{base_url}', "
        f"max_concurrency: {CONCURRENCY}, max_retries: 0, timeout_s: 30}}\n"
    )
    (folder / "agent.yaml").write_text(
        f"id: {AGENT}\nparams: {{max_tokens: 64}}\nprompts: {{system: system.md, user_template: user.md}}\n"
        "evals: evals/cases.yaml\n"
    )
    (folder / "system.md").write_text("You are a support agent. Follow the refund policy.\n")
    (folder / "user.md").write_text("Customer says: {{message}}\n")
    lines = ["cases:"]
    for i in range(CASES):
        lines += [
            f"  - id: case-{i:04d}",
            f"    vars: {{message: 'question number {i}'}}",
            "    assert: [{type: contains, value: echo}, {type: not-icontains, value: sorry}]",
        ]
    (folder / "evals" / "cases.yaml").write_text("\n".join(lines) + "\n")


def start_standin() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-W",
            "ignore::RuntimeWarning",
            "-m",
            "tests.standins.anthropic_server",
            "--delay",
            str(REPLY_S),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"},
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


class SleepingProvider:
    """An in-process provider answering after exactly REPLY_S: the runner's own overhead, no HTTP."""

    name, base_url, is_free = "in-process", None, True

    async def complete(self, request: CompletionRequest) -> Completion:
        await asyncio.sleep(REPLY_S)
        return Completion(text="echo: ok", input_tokens=20, output_tokens=3)

    async def aclose(self) -> None:
        return None


@dataclass
class Measure:
    wall_s: float
    cpu_s: float  # this process's CPU time during the run (the stand-in's is not included)
    samples: int
    passed: int


async def one_run(root: Path, in_process: bool) -> Measure:
    config = load_config(root)
    base = load_agent(config, AGENT)
    head = base.with_texts({"system": "You are a support agent. Be brief.\n"})
    suite = load_suite(base, config)
    if in_process:
        client = LLMClient(SleepingProvider(), max_concurrency=CONCURRENCY)
    else:
        client = client_from_config(config, no_cache=True)
    cpu, started = time.process_time(), time.perf_counter()
    try:
        runs = await run_evals(client, [PromptSet("base", base), PromptSet("head", head)], suite)
    finally:
        await client.aclose()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Measure(wall, cpu, sum(r.summary.samples for r in runs), sum(r.summary.passed for r in runs))


def promptfoo_status() -> str:
    node = shutil.which("node")
    if node is None:
        return "not available: node is not installed"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0]) if version.startswith("v") else 0
    if major < 22:
        return (
            f"not available: node {version} is installed and promptfoo needs Node 22+; "
            "installing another Node is out of scope here, so no promptfoo comparison was run"
        )
    if shutil.which("promptfoo") is None:
        return f"not available: node {version} is present but promptfoo is not installed"
    return "promptfoo is installed, but this benchmark does not drive it yet"


def measure(root: Path, runs: int, in_process: bool) -> list[Measure]:
    return [asyncio.run(one_run(root, in_process)) for _ in range(runs)]


def row(label: str, results: list[Measure], limit: float) -> tuple[str, bool]:
    wall = statistics.median(m.wall_s for m in results)
    cpu_ms = statistics.median(m.cpu_s for m in results) * 1000 / results[0].samples
    ok = wall <= limit * 1.15 and all(m.passed == CASES * 2 for m in results)
    walls = ", ".join(f"{m.wall_s:.2f}" for m in results)
    line = (
        f"| {label} | {wall:.2f} s ({walls}) | {limit:.2f} s | {wall / limit:.3f} | {cpu_ms:.2f} ms "
        f"| {'yes' if ok else 'NO'} |"
    )
    return line, ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one run of each instead of three")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    os.environ["ANTHROPIC_API_KEY"] = STANDIN_API_KEY
    proc, url = start_standin()
    try:
        with tempfile.TemporaryDirectory(prefix="promptops-bench-") as tmp:
            root = Path(tmp)
            write_repo(root, url)
            in_process = measure(root, runs, in_process=True)
            through_sdk = measure(root, runs, in_process=False)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    calls = CASES * 2
    limit = math.ceil(calls / CONCURRENCY) * REPLY_S
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(
        f"eval throughput: {CASES} cases x 2 prompt sets = {calls} calls per run, concurrency {CONCURRENCY}, "
        f"reply {REPLY_S * 1000:.0f} ms, {runs} run(s) each, {os.cpu_count()} CPUs, load average {load:.1f}"
    )
    print()
    print(
        "| path | wall, median (runs) | limit ceil(calls/32) x 100 ms | wall / limit | client CPU per call "
        "| within 15% |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    line, ok_runner = row("runner + in-process 100 ms provider", in_process, limit)
    print(line)
    line, ok_sdk = row("runner + anthropic SDK -> stand-in (own process)", through_sdk, limit)
    print(line)
    ok_mem = peak < 200
    sdk_cpu = statistics.median(m.cpu_s for m in through_sdk)
    print()
    print(
        f"CPU floor of the SDK path: {calls} calls x {sdk_cpu * 1000 / calls:.2f} ms = {sdk_cpu:.2f} s "
        f"of client CPU in this process alone ({'above' if sdk_cpu > limit else 'below'} the "
        f"{limit:.2f} s limit; the stand-in's own CPU comes on top, on the same cores)"
    )
    print(
        f"peak memory (ru_maxrss of this process, both paths): {peak:.0f} MB (target < 200 MB: "
        f"{'yes' if ok_mem else 'NO'})"
    )
    print(f"promptfoo eval -j {CONCURRENCY}: {promptfoo_status()}")
    sys.exit(0 if ok_runner and ok_sdk and ok_mem else 1)


if __name__ == "__main__":
    main()
