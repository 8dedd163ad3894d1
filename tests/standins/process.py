"""A stand-in in a process of its own, as the benchmarks run it: its CPU is not the measured
command's, and its counters are read over HTTP (`/_standin/stats`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_standin_process(module: str, delay_s: float) -> tuple[subprocess.Popen[str], str]:
    """(process, base URL) of `python -m tests.standins.MODULE --delay DELAY_S`; it serves until
    its stdin is closed."""
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore::RuntimeWarning", "-m", f"tests.standins.{module}"]
        + ["--delay", str(delay_s)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"},
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def standin_stats(url: str) -> dict[str, int]:
    """The stand-in's counters: requests answered, TCP connections accepted."""
    with urllib.request.urlopen(f"{url}/_standin/stats", timeout=5) as response:
        return json.loads(response.read())
