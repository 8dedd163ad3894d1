"""`promptops eval` end to end: echo dry runs, exports, gates, --compare on two commits."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from promptops.evals.results import load_run
from tests.conftest import run_cli
from tests.evals.support import AGENT_DIR, agent_repo
from tests.gitrepo import commit

CASES = """\
cases:
  - id: mentions-policy
    vars: {customer_message: "Can I return this?"}
    assert: [{type: contains, value: refund policy}]
  - id: not-verbose
    vars: {customer_message: "Hi"}
    assert: [{type: not-icontains, value: "in great detail"}]
  - id: echoes-message
    vars: {customer_message: "order 1234"}
    assert: [{type: regex, value: 'order \\d{4}'}]
"""
VERBOSE_SYSTEM = "You are a support agent. Follow the refund policy. Explain everything in great detail.\n"
TERSE_SYSTEM = "You are a support agent. Be brief.\n"


def make(tmp_path: Path, system: str = VERBOSE_SYSTEM) -> Path:
    return agent_repo(tmp_path, CASES, {f"{AGENT_DIR}/system.md": system, ".gitignore": ".promptops/\n"})


def test_echo_run_prints_table_summary_and_saves_the_run(tmp_path: Path) -> None:
    repo = make(tmp_path)
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--min-pass-rate", "0.5")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    # only the failing case gets a row; the passing ones are counted, and listed with --all-cases
    assert "not-verbose" in out and "mentions-policy" not in out and "echoes-message" not in out
    assert "support-agent: 2 passing cases not shown (--all-cases shows every row)" in out
    assert "pass rate 66.7% (95% CI 20.8-93.9%), 2 passed, 1 failed, 0 errors" in out
    assert "3 samples (3 cases, repeat 1, split all) with claude-sonnet-5-5 via echo" in out
    assert "note: provider echo: outputs are the rendered prompts" in out
    (saved,) = (repo / ".promptops" / "runs").glob("*.json")
    run = load_run(saved)
    assert run.provider == "echo" and run.summary.failed == 1
    failing = next(r for r in run.results if r.case_id == "not-verbose")
    assert failing.assertions[0].reason.startswith("not expected, but found 'in great detail'")
    every = run_cli(
        repo, "eval", "support-agent", "--provider", "echo", "--min-pass-rate", "0", "--all-cases"
    )
    assert all(name in every.stdout for name in ("mentions-policy", "not-verbose", "echoes-message"))
    assert "not shown" not in every.stdout


def test_default_gate_needs_every_sample_to_pass(tmp_path: Path) -> None:
    repo = make(tmp_path)
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "pass rate 66.7% is below --min-pass-rate 100.0% (1 failed, 0 errors)"
    )
    passing = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--filter", "policy")
    assert passing.exit_code == 0, passing.stderr
    assert "pass rate 100.0%" in passing.stdout and "not-verbose" not in passing.stdout


def test_exports_json_junit_and_markdown(tmp_path: Path) -> None:
    repo = make(tmp_path)
    result = run_cli(
        repo,
        "eval",
        "support-agent",
        "--provider",
        "echo",
        "--repeat",
        "2",
        "--min-pass-rate",
        "0",
        "--json",
        str(tmp_path / "run.json"),
        "--junit",
        str(tmp_path / "reports" / "junit.xml"),  # folders are created
        "--markdown",
        str(tmp_path / "summary.md"),
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["summary"]["samples"] == 6 and data["repeat"] == 2
    suite = ET.parse(tmp_path / "reports" / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "2", "0")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert sorted(c.get("name") for c in failed) == ["not-verbose#0", "not-verbose#1"]
    assert "not-icontains (cases[1].assert[0])" in failed[0].find("failure").get("message")
    md = (tmp_path / "summary.md").read_text()
    assert "| not-verbose | fail | 0/2 |" in md and "pass rate **66.7%**" in md
    # echo is deterministic: no case is flaky, and the two passing cases passed both repeats
    assert "- 2 repeats per case: 0 of 3 cases flaky (passed some repeats, failed others), pass^2 66.7%" in md


def test_compare_against_the_previous_commit(tmp_path: Path) -> None:
    repo = make(tmp_path)
    commit(repo, {f"{AGENT_DIR}/system.md": TERSE_SYSTEM}, "make the system prompt terse")
    result = run_cli(
        repo,
        "eval",
        "support-agent",
        "--provider",
        "echo",
        "--compare",
        "HEAD~1",
        "--min-pass-rate",
        "0",
        "--json",
        str(tmp_path / "cmp.json"),
        "--markdown",
        str(tmp_path / "cmp.md"),
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "HEAD~1 (base) vs working tree (head)" in out
    assert "newly failing" in out and "newly passing" in out
    assert "echoes-message" not in out and "(1 unchanged passing cases)" in out
    data = json.loads((tmp_path / "cmp.json").read_text())
    assert data["comparison"]["newly_failing"] == ["mentions-policy"]
    assert data["comparison"]["newly_passing"] == ["not-verbose"]
    assert data["base"]["ref"] == "HEAD~1" and data["head"]["ref"] is None
    base_sys, head_sys = data["base"]["prompt_versions"]["system"], data["head"]["prompt_versions"]["system"]
    assert base_sys != head_sys
    assert (
        data["base"]["prompt_versions"]["user_template"] == data["head"]["prompt_versions"]["user_template"]
    )
    # echo's tokens are tiktoken counts of the prompt: the terse prompt is shorter on every sample
    assert data["comparison"]["head"]["mean_tokens"] < data["comparison"]["base"]["mean_tokens"]
    md = (tmp_path / "cmp.md").read_text()
    assert "Newly failing: mentions-policy" in md and "| pass rate | 66.7% | 66.7% | +0.0 pts |" in md
    assert len(list((repo / ".promptops" / "runs").glob("*.json"))) == 2


def test_prompt_option_evaluates_a_draft_file(tmp_path: Path) -> None:
    repo = make(tmp_path)
    draft = tmp_path / "draft.md"
    draft.write_text(TERSE_SYSTEM)
    result = run_cli(
        repo,
        "eval",
        "support-agent",
        "--provider",
        "echo",
        "--prompt",
        f"system={draft}",
        "--filter",
        "verbose",
    )
    assert result.exit_code == 0, result.stderr
    bad = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--prompt", "sistem=x.md")
    assert bad.exit_code == 2 and "unknown prompt support-agent/sistem; closest: system" in bad.stderr


def test_bad_cases_file_fails_before_any_call_and_writes_nothing(tmp_path: Path) -> None:
    repo = make(tmp_path)
    (repo / AGENT_DIR / "evals" / "cases.yaml").write_text(
        "cases:\n  - id: a\n    vars: {customer_message: x}\n    assert: [{type: regex, value: '[a-'}]\n"
    )
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert (
        "cases.yaml:4:35: error: cases[0].assert[0].value: case 'a': regex: regex '[a-' does not compile"
        in (result.stderr)
    )
    assert not (repo / ".promptops" / "runs").exists()


def test_no_matching_cases_is_an_input_error(tmp_path: Path) -> None:
    repo = make(tmp_path)
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--filter", "nothing-like-this")
    assert result.exit_code == 2 and "no cases to run matching --filter 'nothing-like-this'" in result.stderr


def test_json_to_stdout_keeps_the_table_on_stderr(tmp_path: Path) -> None:
    repo = make(tmp_path)
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--json", "-", "--filter", "policy")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [r["case_id"] for r in data["results"]] == ["mentions-policy"]
    assert (
        "support-agent: all 1 cases passed" in result.stderr
        and "model calls (judge included): 1 call (" in result.stderr
    )


def test_reasons_print_literally_not_as_terminal_markup(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per case
    cases = (
        "cases:\n  - id: markup\n    vars: {customer_message: x}\n"
        "    assert: [{type: contains, value: '[red]x[/red]'}]\n"
    )
    repo = agent_repo(tmp_path, cases)
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--min-pass-rate", "0")
    assert "did not find '[red]x[/red]' in the output" in result.stdout


def test_ref_evaluates_the_prompts_as_committed(tmp_path: Path) -> None:
    repo = make(tmp_path)
    commit(repo, {f"{AGENT_DIR}/system.md": TERSE_SYSTEM}, "make the system prompt terse")
    old = run_cli(
        repo,
        "eval",
        "support-agent",
        "--provider",
        "echo",
        "--ref",
        "HEAD~1",
        "--filter",
        "policy",
        "--json",
        "-",
    )
    assert old.exit_code == 0, old.stderr  # the committed verbose prompt still mentions the refund policy
    data = json.loads(old.stdout)
    assert data["ref"] == "HEAD~1" and data["results"][0]["passed"] is True
    now = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--filter", "policy")
    assert now.exit_code == 1


def test_markdown_cells_cannot_inject_html_mentions_or_columns(tmp_path: Path) -> None:
    cases = (
        "cases:\n  - id: inject\n    vars: {customer_message: x}\n"
        "    assert: [{type: contains, value: '<img src=x>@here|col'}]\n"
    )
    repo = agent_repo(tmp_path, cases)
    md_path = tmp_path / "summary.md"
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--markdown", str(md_path))
    assert result.exit_code == 1
    row = next(line for line in md_path.read_text().splitlines() if line.startswith("| inject "))
    assert "&lt;img src=x&gt;@\u200dhere\\|col" in row and "<img" not in row
    assert row.count(" | ") == 3  # still four cells


def test_compare_prints_the_statistical_verdict(tmp_path: Path) -> None:
    many = "cases:\n" + "".join(
        f'  - id: c{i}\n    vars: {{customer_message: "order {1000 + i}"}}\n'
        f"    assert: [{{type: regex, value: 'order \\d{{4}}'}}]\n"
        for i in range(120)
    )
    repo = agent_repo(
        tmp_path, many, {f"{AGENT_DIR}/system.md": VERBOSE_SYSTEM, ".gitignore": ".promptops/\n"}
    )
    commit(repo, {f"{AGENT_DIR}/system.md": TERSE_SYSTEM}, "make the system prompt terse")
    args = ("eval", "support-agent", "--provider", "echo", "--compare", "HEAD~1")

    concise = run_cli(repo, *args, "--goal", "conciseness", "--json", str(tmp_path / "c.json"))
    assert concise.exit_code == 0, concise.stderr
    assert "verdict (conciseness): improvement" in concise.stdout
    verdict = json.loads((tmp_path / "c.json").read_text())["comparison"]["verdict"]
    assert verdict["outcome"] == "improvement" and verdict["figures"]["tokens"]["ratio"] < 0.9

    accuracy = run_cli(repo, *args, "--markdown", str(tmp_path / "a.md"))
    assert accuracy.exit_code == 0, accuracy.stderr
    assert "verdict (accuracy): no-difference" in accuracy.stdout
    assert "McNemar" in accuracy.stdout
    assert "**Verdict (accuracy): no-difference**" in (tmp_path / "a.md").read_text()
