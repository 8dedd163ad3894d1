"""The report made from a real session file: verdict first, figures with what they were measured
on, LLM text escaped, per-case changes, budget."""

from __future__ import annotations

from pathlib import Path

from promptops.bot.pr_report import render_report
from promptops.bot.session_report import eval_note, session_report
from promptops.config import load_config
from promptops.evals.results import AssertionResult, CaseResult
from promptops.optimize.case_changes import holdout_case_changes
from tests.publish.conftest import optimize


def result(
    case: str, repeat: int, passed: bool | None, reason: str = "", error: str | None = None
) -> CaseResult:
    checks = () if passed is None else (AssertionResult("icontains", passed, float(passed), 1.0, reason),)
    return CaseResult(case, repeat, "holdout", (), "out", passed, None, checks, error=error)


def test_holdout_case_changes_compare_outcomes_over_repeats() -> None:
    base = [
        result("a", 0, True),
        result("a", 1, True),
        result("b", 0, False, "no refund policy"),
        result("b", 1, False, "no refund policy"),
        result("c", 0, True),
        result("c", 1, True),
    ]
    cand = [
        result("a", 0, True),
        result("a", 1, False, "missing 'refund policy'"),
        result("b", 0, True),
        result("b", 1, True),
        result("c", 0, None, error="timeout"),
        result("c", 1, None, error="timeout"),
    ]
    assert holdout_case_changes(base, cand) == [
        {"case_id": "a", "base": "pass", "variant": "1/2 pass", "note": "icontains: missing 'refund policy'"},
        {"case_id": "b", "base": "fail", "variant": "pass", "note": "icontains: no refund policy"},
        {"case_id": "c", "base": "pass", "variant": "error", "note": "timeout"},
    ]


def test_report_from_a_real_session(optimized_repo: Path) -> None:
    session, _ = optimize(optimized_repo)
    assert session["holdout"]["case_changes"] == []  # recorded by the optimizer (echo: nothing changed)
    winner_id = session["holdout"]["candidate"]
    for candidate in session["candidates"]:
        if candidate["id"] == winner_id:
            candidate["hypothesis"] = "Shorter is better @octocat <script>alert(1)</script> | `x`"
            candidate["change_summary"] = "- removed filler\n@org/team"
    session["holdout"]["case_changes"] = [
        {"case_id": f"case-{i:03d}", "base": "fail", "variant": "pass", "note": "<b>now</b> cites policy"}
        for i in range(3)
    ]

    report = session_report(session, load_config(optimized_repo))
    markdown = render_report(report)

    holdout = session["holdout"]["cases"]
    lines = markdown.splitlines()
    assert lines[3] == f"### ✅ Recommended: improvement for conciseness on {holdout} holdout cases " + (
        f"({eval_note(session)['tokens_change_pct']:+.0f}% tokens, pass rate unchanged)"
    )
    assert f"Measured on {holdout} cases × 1 repeats with `claude-sonnet-5-5 via echo`." in markdown
    assert "| pass rate (95% interval) | 100.0% (" in markdown
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "@octocat" not in markdown and "@\u200doctocat" in markdown and "@\u200dorg/team" in markdown
    assert "Per-case changes (3 cases changed outcome)" in markdown
    assert "| case-000 | fail | pass | &lt;b&gt;now&lt;/b&gt; cites policy |" in markdown
    assert (
        f"Budget used: {session['usage']['calls']} LLM calls (0 cached), $0.0000 (budget: 400 calls"
        in markdown
    )
    assert f"selected on {session['search']['dev_cases']} dev cases" in markdown
    assert report.base_text.startswith("You are a helpful customer support agent")
    assert (
        report.variant_version == next(c for c in session["candidates"] if c["id"] == winner_id)["version_id"]
    )
