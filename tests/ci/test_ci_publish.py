"""Commands that end in a pull request: `/promptops optimize`, `/promptops rollback`, and the
scheduled run that opens PRs, against the GitHub stand-in and the bare origin."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from promptops.demo import SYSTEM, demo_cases
from tests.bot.pr_commands_check import section_commands
from tests.ci import payloads
from tests.ci.conftest import AGENT, run_event, write_config
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin

OFFLINE = {
    "provider": {"name": "echo", "model": "echo"},
    "evals": {"holdout_fraction": 0.5},
    "decision": {"min_success_delta": 0.1},
}
VARIANT = "promptops/support-agent/system/conciseness"


@pytest.fixture
def wordy_repo(agent_repo: Path, github: GitHubStandin) -> Path:
    """support-agent with a wordy system prompt and 200 cases (enough to show an improvement)."""
    files = {
        f"{AGENT}/system.md": SYSTEM,
        f"{AGENT}/evals/cases.yaml": demo_cases(200),
        ".promptops.yaml": yaml.safe_dump(OFFLINE),
    }
    commit(agent_repo, files, "wordy system prompt", push=True)
    github.collaborators["alice"] = "admin"
    github.issue_labels[30] = []  # an issue to comment on
    return agent_repo


def command(repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin, body: str):  # noqa: ANN201
    comment_id = github.add_comment(30, body, "alice")
    payload = payloads.issue_comment(body, number=30, on_pr=False, login="alice", comment_id=comment_id)
    return run_event(repo, monkeypatch, github, "issue_comment", payload)


def bot_reply(github: GitHubStandin) -> str:
    [reply] = [c["body"] for c in github.comments.values() if c["login"] == github.login and c["issue"] == 30]
    return reply


def test_optimize_command_opens_a_pull_request(
    wordy_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = command(
        wordy_repo, monkeypatch, github, "/promptops optimize support-agent/system --goal conciseness"
    )
    assert run.result.exit_code == 0, run.err
    [pr] = github.pulls.values()
    assert pr["head"] == VARIANT and pr["base"] == "main"
    assert github.branch_sha(VARIANT) is not None  # pushed to origin
    reply = bot_reply(github)
    assert "Optimized `support-agent/system` for conciseness: pull request" in reply
    assert f"/pull/{pr['number']}" in reply
    [report] = [c["body"] for c in github.comments.values() if c["issue"] == pr["number"]]
    assert "improvement" in report  # the PR's sticky report, from the publishing helper
    assert "> [!TIP]\n> **✅ Recommended: improvement for conciseness" in pr["body"]
    assert "[this workflow run](https://github.example/octo-org/agents/actions/runs/4242)." in report
    listed = section_commands(pr["body"])  # the body ends with the commands that apply to it
    assert (listed[0].name, listed[0].agent) == ("eval", "support-agent")
    named = [(c.name, c.prompt_id, c.goal) for c in listed]
    assert ("unignore", "support-agent/system", "conciseness") in named
    text = git(wordy_repo.parent / "origin.git", "show", f"{VARIANT}:{AGENT}/system.md")
    assert len(text) < len(SYSTEM) and "refund policy" in text


def test_rollback_command_opens_a_pull_request(
    wordy_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = git(wordy_repo, "show", f"main~1:{AGENT}/system.md")
    run = command(wordy_repo, monkeypatch, github, "/promptops rollback support-agent/system --to v1")
    assert run.result.exit_code == 0, run.err
    [pr] = github.pulls.values()
    reply = bot_reply(github)
    assert "Rollback of `support-agent/system` to `v1`: pull request" in reply
    assert f"/pull/{pr['number']}" in reply
    assert [c.name for c in section_commands(pr["body"])] == ["eval", "rollback", "help"]
    assert (
        git(wordy_repo.parent / "origin.git", "show", f"{pr['head']}:{AGENT}/system.md") + "\n" == v1 + "\n"
    )


def test_schedule_optimizes_listed_prompts_and_opens_pull_requests(
    wordy_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        wordy_repo,
        {**OFFLINE, "schedule": {"prompts": [{"prompt": "support-agent/system", "goal": "conciseness"}]}},
    )
    run = run_event(wordy_repo, monkeypatch, github, "workflow_dispatch", payloads.workflow_dispatch())
    assert run.result.exit_code == 0, run.err
    [pr] = github.pulls.values()
    assert pr["head"] == VARIANT
    assert "optimizing support-agent/system for conciseness (listed in schedule.prompts)" in run.out
    assert f"/pull/{pr['number']}" in run.out
