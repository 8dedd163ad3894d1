"""`promptops dashboard` on a real repository with two agents: terminal, --markdown and --json,
without a token (it says there is no PR data) and with one (real PyGithub, the stand-in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from promptops.version_ids import version_id
from tests.conftest import run_cli
from tests.dashboard.scenario import SYSTEM_V2, Scenario, scenario  # noqa: F401 - the fixture
from tests.gitrepo import git
from tests.mermaid_parse import xycharts


def test_json_without_a_token_has_everything_but_pull_requests(scenario: Scenario) -> None:  # noqa: F811
    result = run_cli(scenario.repo, "dashboard", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["pulls_known"] is False and "no pull request data" in data["pulls_note"]
    assert [a["agent_id"] for a in data["agents"]] == ["billing-agent", "support-agent"]
    support = {p["prompt_id"]: p for p in data["agents"][1]["prompts"]}
    system = support["support-agent/system"]
    assert (system["version"], system["version_id"]) == ("v2", version_id(SYSTEM_V2))
    last = system["last_eval"]
    assert (last["pass_rate"], last["cases"], last["repeats"], last["model"]) == (
        0.9375,
        16,
        2,
        "claude-sonnet-5-5",
    )
    assert last["low"] < 0.9375 < last["high"] and last["date"].startswith("2026-11-09")
    assert system["last_deploy"] == {
        "version": 2,
        "commit": git(scenario.repo, "log", "-1", "--format=%H", "--fixed-strings", "--grep=(#3)"),
        "date": "2026-11-09T09:30:00+00:00",
        "pr": 3,
        "recorded": True,
    }
    assert system["pulls"] == [] and system["lock"] is None  # unknown, not "none": see pulls_note
    user = support["support-agent/user_template"]
    assert [(i["goal"], i["pr"], i["by"]) for i in user["ignored"]] == [("conciseness", 6, "alice")]
    assert [a["command"] for a in user["actions"]] == [
        "/promptops unignore support-agent/user_template --goal conciseness"
    ]
    billing = data["agents"][0]["prompts"][0]
    assert billing["rollout"]["weight"] == 25 and billing["rollout"]["step"] == 2
    assert billing["rollout"]["since"].startswith("2026-11-12")


def test_markdown_is_the_issue_body_and_says_there_is_no_pr_data(scenario: Scenario) -> None:  # noqa: F811
    result = run_cli(scenario.repo, "dashboard", "--markdown")
    assert result.exit_code == 0, result.stderr
    body = result.stdout
    assert body.startswith("<!-- promptops:dashboard -->\n")
    assert "> [!NOTE]\n> Local mode: no pull request data" in body
    assert "| pull requests | unknown (see the note above) |" in body
    assert "- [ ] <!-- promptops:eval support-agent --> re-evaluate now" in body
    assert "- [ ] <!-- promptops:unignore support-agent/user_template conciseness -->" in body
    assert "| rollout | 25% of traffic to prompts/billing-agent/system.candidate.md" in body
    assert "step 2 of 4 (5% → 25% → 50% → 100%) since 2026-11-12" in body
    assert "| last eval | 94% pass (95% CI " in body


def test_with_a_token_the_open_pr_and_its_lock_are_shown(
    scenario: Scenario,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", scenario.github.url)
    result = run_cli(
        scenario.repo,
        "dashboard",
        "--markdown",
        "--token",
        scenario.github.token,
        "--repo",
        "octo-org/agents",
    )
    assert result.exit_code == 0, result.stderr
    body = result.stdout
    assert "no pull request data" not in body
    pr = scenario.open_pr
    verdict = "improvement pass 94%-&gt;94% tokens -27% (16 cases x 2)"  # escaped: it renders as ->
    assert f"| pull requests | \\#{pr} conciseness: {verdict}, holds the lock |" in body
    # the lock holds: no box offers another goal for support-agent/system while #10 is open
    assert "promptops:optimize support-agent/system" not in body
    assert "- [ ] <!-- promptops:optimize support-agent/user_template conciseness -->" not in body  # declined
    assert (
        "- [ ] <!-- promptops:optimize billing-agent/system conciseness --> optimize for conciseness now"
        in body
    )


def test_terminal_view_and_help(scenario: Scenario) -> None:  # noqa: F811
    result = run_cli(scenario.repo, "dashboard")
    assert result.exit_code == 0, result.stderr
    assert "Local mode: no pull request data" in result.stdout
    assert "/promptops unignore support-agent/user_template --goal conciseness" in result.stdout
    assert "v2 · " in result.stdout
    helped = run_cli(scenario.repo, "dashboard", "--help")
    assert "Pull requests are read from GitHub only with a token" in helped.stdout
    both = run_cli(scenario.repo, "dashboard", "--json", "--markdown")
    assert both.exit_code == 2 and "exclusive" in both.stderr


def test_a_prompt_with_versions_gets_its_charts_and_an_unevaluated_version_is_not_drawn_as_zero(
    scenario: Scenario,  # noqa: F811
) -> None:
    body = run_cli(scenario.repo, "dashboard", "--markdown").stdout
    system = body.split("### `support-agent/system`")[1].split("\n### ")[0]

    charts = {c["title"]: c for c in xycharts(system)}

    rate = charts["support-agent/system pass rate, v1-v2"]
    assert rate["xAxis"]["categories"] == ["v2"]  # v1 had no eval: left out, not 0 %
    bar, low, high = (dict(plot["data"]) for plot in rate["plots"])
    assert bar == {"v2": 93.8} and low["v2"] < 93.8 < high["v2"]
    tokens = charts["support-agent/system tokens, v1-v2"]
    assert tokens["xAxis"]["categories"] == ["v1", "v2"]
    assert "Not drawn, no eval: v1." in system
    one_version = body.split("### `billing-agent/user_template`")[1].split("\n### ")[0]
    assert "```mermaid" not in one_version  # one version: the table says it all


def test_every_prompts_history_comes_from_one_git_log_walk(
    scenario: Scenario,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Four prompts and a running rollout, one walk: the dashboard does not read the history
    once per prompt, nor rollout.yaml's again for the step start (that walk read it too)."""
    trace = tmp_path_factory.mktemp("trace") / "git.trace"
    rm_cached = ["rm", "-rf", str(scenario.repo / ".git" / "promptops" / "file-logs")]
    subprocess.run(rm_cached, check=True)  # a fresh clone: nothing kept from earlier runs
    done = subprocess.run(
        [sys.executable, "-m", "promptops", "-C", str(scenario.repo), "dashboard", "--json", "--no-fetch"],
        env={**os.environ, "GIT_TRACE": str(trace)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    prompts = [p for a in json.loads(done.stdout)["agents"] for p in a["prompts"]]
    assert len(prompts) >= 4 and all(p["version"] for p in prompts)
    logs = [line for line in trace.read_text().splitlines() if "trace: built-in: git log" in line]
    [walked] = [line.split(" -- ", 1)[1].split() for line in logs]
    assert {p["path"] for p in prompts} | {"prompts/billing-agent/rollout.yaml"} <= set(walked)
    [billing] = [p for p in prompts if p["rollout"]]
    assert billing["rollout"]["since"].startswith("2026-11-12")  # the step start, from that walk
