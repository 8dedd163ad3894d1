"""bench/promptfoo_corpus.py on the corpus: the table a maintainer reads, and no crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli
from tests.gitrepo import make_repo

PROJECT = Path(__file__).parents[2]
CORPUS = PROJECT / "tests" / "fixtures" / "promptfoo"


def test_the_corpus_table_counts_each_outcome_and_the_types_left_out() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "src")}
    out = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "promptfoo_corpus.py")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert "promptfoo configs: 12" in out
    assert "| imported clean | 4 |" in out
    assert "| imported with notes (something left out) | 5 |" in out
    assert "| refused | 3 |" in out and "| crashed | 0 |" in out
    assert "| select-best | 1 |" in out and "| context-recall | 1 |" in out
    assert "| js-config | refused | a config written in JavaScript cannot be read" in out


def test_json_report_lists_agents_and_every_item(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    config = str(CORPUS / "scenarios-and-more" / "promptfooconfig.yaml")
    result = run_cli(repo, "import-promptfoo", config, "--agent", "greet", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [a["id"] for a in report["agents"]] == ["greet"] and report["agents"][0]["created"] is True
    assert report["cases"] == 2 and report["unsupported"] == {
        "moderation": 1,
        "is-xml": 1,
        "rouge-n": 1,
        "max-score": 1,
    }
    assert (
        "tests[0].assert[4]: left out: its `transform` (code run on the output first) "
        "would change what is checked" in report["skipped"]
    )
    assert (
        "tests[1].assertScoringFunction: cases are scored by the weighted mean of their assertions "
        "(and threshold)" in report["skipped"]
    )
    assert (
        "scenarios: not converted: promptops has no scenarios; write the combinations as cases"
        in report["skipped"]
    )
    assert (
        "evaluateOptions: not converted: concurrency, repeats and caching are promptops settings "
        "(provider.max_concurrency, evals.repeat, cache)" in report["skipped"]
    )
    assert "tests[1].provider: a case runs on the agent's model" in report["skipped"]
