"""Log paths on the command line: globs the shell left alone, and `-` for standard input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from promptops.cli import main

LINE = {
    "timestamp": "2026-11-25T14:03:00Z",
    "agent": "a",
    "prompt_id": "a/system",
    "version_id": "3b18e512",
    "status": "failed",
    "latency_ms": 10,
    "input_tokens": 1,
    "output_tokens": 1,
    "error_type": "Timeout",
}


def test_failures_reads_a_quoted_glob_and_standard_input(tmp_path: Path) -> None:
    for name in ("a.jsonl", "b.jsonl"):
        (tmp_path / name).write_text(json.dumps(LINE) + "\n")
    runner = CliRunner()
    globbed = runner.invoke(
        main, ["-C", str(tmp_path), "failures", "a/system", "--logs", "*.jsonl", "--json"]
    )
    assert globbed.exit_code == 0, globbed.output
    assert json.loads(globbed.stdout)["failures"] == 2
    piped = runner.invoke(
        main,
        ["-C", str(tmp_path), "failures", "a/system", "--logs", "-", "--json"],
        input=json.dumps(LINE) + "\n",
    )
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout)["failures"] == 1
    missing = runner.invoke(main, ["-C", str(tmp_path), "failures", "a/system", "--logs", "nope/*.jsonl"])
    assert missing.exit_code == 2 and "no log file matches nope/*.jsonl" in missing.stderr
