"""`promptops history --chart`: the versions on the default branch as Mermaid charts, read back
with Mermaid's own parser; a version without an eval of its own text is left off the pass rate."""

from __future__ import annotations

import json
from pathlib import Path

from promptops.stats.intervals import wilson_interval
from promptops.version_ids import version_id
from tests.conftest import run_cli
from tests.gitrepo import git
from tests.mermaid_parse import values, xycharts
from tests.publish.conftest import SYSTEM, V2, V3, optimize
from tests.standins.github_server import GitHubStandin

BRANCH = "promptops/support-agent/system/conciseness"


def test_a_merged_optimization_is_charted_with_the_interval_its_eval_measured(
    optimized_repo: Path, github_standin: GitHubStandin
) -> None:
    session, result = optimize(optimized_repo, "--open-pr")
    assert result.exit_code == 0 and "opened pull request #1" in result.stdout, result.stderr
    git(optimized_repo, "fetch", "-q", "origin")
    message = f"Merge pull request #1 from octo-org/{BRANCH}"
    git(optimized_repo, "merge", "-q", "--no-ff", f"origin/{BRANCH}", "-m", message)
    git(optimized_repo, "push", "-q", "origin", "main")

    shown = run_cli(optimized_repo, "history", "support-agent/system", "--chart")

    assert shown.exit_code == 0, shown.stderr
    rates, tokens = xycharts(shown.stdout)
    measured = session["holdout"]["verdict"]["figures"]["all_cases"]["candidate"]
    assert rates["xAxis"]["categories"] == ["v2"]  # v1 was never evaluated: not drawn as 0 %
    assert values(rates) == [
        ("bar", [round(100 * measured["rate"], 1)]),
        ("line", [round(100 * measured["low"], 1)]),
        ("line", [round(100 * measured["high"], 1)]),
    ]
    assert measured["low"] < measured["high"]  # a real interval, drawn as two lines
    git(optimized_repo, "fetch", "-q", "origin", "+refs/notes/promptops:refs/notes/promptops")
    written = json.loads(git(optimized_repo, "notes", "--ref=promptops", "show", f"origin/{BRANCH}"))
    assert written["pass_interval"] == {k: measured[k] for k in ("low", "high", "confidence")}
    history = json.loads(run_cli(optimized_repo, "history", "support-agent/system", "--json").stdout)
    assert tokens["xAxis"]["categories"] == ["v1", "v2"]
    assert values(tokens) == [("bar", [v["tokens"] for v in reversed(history["versions"])])]
    assert "Not drawn, no eval: v1." in shown.stdout


def note(version: str, rate: float, **extra: object) -> str:
    rates = {"base": 0.5, "variant": rate}
    fields = {"schema": "promptops-eval/1", "variant_version": version, "pass_rate": rates}
    return json.dumps(fields | {"cases": 40, "repeats": 3} | extra)


def test_notes_without_an_interval_or_about_another_text(deployed_repo: Path) -> None:
    v2 = git(deployed_repo, "log", "-1", "--format=%H", "--grep=friendlier")
    v3_head = git(deployed_repo, "rev-parse", "HEAD^2")  # the merged PR's head carries its note
    git(deployed_repo, "notes", "--ref=promptops", "add", "-m", note(version_id(V2), 0.9), v2)
    git(deployed_repo, "notes", "--ref=promptops", "add", "-m", note(version_id(V2), 0.5), v3_head)

    shown = run_cli(deployed_repo, "history", "support-agent/system", "--chart", "--no-fetch")

    assert shown.exit_code == 0, shown.stderr
    rates, _tokens = xycharts(shown.stdout)
    assert rates["xAxis"]["categories"] == ["v2"]  # v3's note measured v2's text: not v3's result
    low, high = wilson_interval(108, 120)  # an older note: 90% of 40 cases x 3 repeats
    assert values(rates) == [("bar", [90]), ("line", [round(100 * low, 1)]), ("line", [round(100 * high, 1)])]
    assert "Not drawn, no eval: v1, v3." in shown.stdout


def test_chart_and_json_together_is_a_usage_error(deployed_repo: Path) -> None:
    shown = run_cli(deployed_repo, "history", "support-agent/system", "--chart", "--json")

    assert shown.exit_code == 2 and "--chart and --json" in shown.stderr
    assert (deployed_repo / SYSTEM).read_text() == V3
