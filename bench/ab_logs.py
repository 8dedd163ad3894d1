"""Throughput and peak memory of `promptops ab` and `promptops failures` on a large generated log.

Generates an execution log of --size-mb megabytes (default 1024; --quick: 50) in a temporary
folder, plus a gzip copy, then runs the real CLI in a child process for each and reports lines
per second and the child's peak resident memory. A bare `json.loads` loop over the same file is
timed beside them as the floor any Python reader pays.

Usage: PYTHONPATH=src python bench/ab_logs.py [--quick] [--size-mb N] [--keep]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROMPT = "support-agent/system"
BASE = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad"
CAND = "9f2c04a1e5a0c2b7d1e3f4a5b6c7d8e9f0a1b2c3"
OTHER = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def generate(path: Path, size_mb: int, seed: int = 1) -> int:
    """Write lines until the file reaches size_mb; 10% belong to another prompt. Returns lines."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    limit = size_mb * 1024 * 1024
    written = lines = 0
    with path.open("w", encoding="utf-8") as out:
        while written < limit:
            chunk = []
            for _ in range(2000):
                chunk.append(
                    json.dumps(_line(rng, start + timedelta(milliseconds=250 * lines), lines)) + "\n"
                )
                lines += 1
            text = "".join(chunk)
            out.write(text)
            written += len(text)
    return lines


def _line(rng: random.Random, stamp: datetime, index: int) -> dict[str, object]:
    version = CAND if rng.random() < 0.5 else BASE
    prompt = PROMPT if rng.random() < 0.9 else "support-agent/user_template"
    ok = rng.random() < (0.82 if version == CAND else 0.80)
    return {
        "timestamp": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "agent": "support-agent",
        "prompt_id": prompt,
        "version_id": version if prompt == PROMPT else OTHER,
        "status": "success" if ok else "failed",
        "latency_ms": round(rng.lognormvariate(6.8, 0.4), 1),
        "input_tokens": rng.randint(900, 1300),
        "output_tokens": rng.randint(80, 300),
        "error_type": None if ok else rng.choice(["Timeout", "ToolError", "ValidationError"]),
        "error_message": None
        if ok
        else f"order {rng.randint(10000, 99999)} failed after {rng.randint(1, 60)} s",
        "request_id": f"req_{index:012d}",
    }


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the child in MB, stdout. Each measurement uses a fresh child."""
    code = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "w = time.perf_counter() - t;"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "sys.stderr.write(p.stderr); print(w, r); print(p.stdout)"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    first, _, rest = done.stdout.partition("\n")
    wall, rss_kb = first.split()
    return float(wall), int(rss_kb) / 1024, rest


def floor_args(path: Path) -> list[str]:
    loop = "import json,sys\nn=0\nfor line in open(sys.argv[1],'rb'):\n    json.loads(line); n+=1\nprint(n)"
    return [sys.executable, "-c", loop, str(path)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 50 MB log")
    parser.add_argument("--size-mb", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    size = args.size_mb or (50 if args.quick else 1024)
    folder = Path(tempfile.mkdtemp(prefix="promptops-ab-bench-"))
    try:
        bench(folder, size)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder)


def bench(folder: Path, size: int) -> None:
    log, packed = folder / "exec.jsonl", folder / "exec.jsonl.gz"
    started = time.perf_counter()
    lines = generate(log, size)
    with log.open("rb") as src, gzip.open(packed, "wb", compresslevel=1) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    print(
        f"# promptops ab/failures on a generated log: {size:,} MB, {lines:,} lines "
        f"(gzip copy {packed.stat().st_size / 2**20:,.0f} MB), "
        f"generated in {time.perf_counter() - started:.0f} s\n"
    )
    cli = [sys.executable, "-m", "promptops"]
    ab = ["ab", PROMPT, "--baseline", BASE[:8], "--candidate", CAND[:8], "--json", "--logs"]
    cases = [
        ("json.loads loop (floor)", floor_args(log)),
        ("promptops ab, plain", [*cli, *ab, str(log)]),
        ("promptops ab, gzip", [*cli, *ab, str(packed)]),
        ("promptops failures, plain", [*cli, "failures", PROMPT, "--json", "--logs", str(log)]),
    ]
    print("| run | lines | seconds | lines/s | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    for label, argv in cases:
        wall, rss, out = run_child(argv)
        print(f"| {label} | {lines:,} | {wall:,.1f} | {lines / wall:,.0f} | {rss:,.1f} |", flush=True)
        if label == "promptops ab, plain":
            verdict = json.loads(out)
    print(f"\nab verdict on the plain log: {verdict['outcome']}; {verdict['reasons'][0]}")
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(peak RSS of this benchmark's own process: {parent_mb:,.0f} MB)")


if __name__ == "__main__":
    main()
