"""The re-run checkbox of a bot PR body: ticking it re-runs the evaluation once and unticks it;
ticked by someone without write permission, it is unticked and nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.bot.pr_commands import RERUN_BOX, rollback_commands
from tests.ci import payloads
from tests.ci.conftest import AGENT, bodies, feature_branch, open_pull, run_event
from tests.standins.github_server import GitHubStandin

TICKED = RERUN_BOX.replace("- [ ]", "- [x]")


def tick(repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin, number: int, login: str):  # noqa: ANN201
    """The edit a person makes by ticking the box, then the `edited` event GitHub sends."""
    pr = github.pulls[number]
    before = pr["body"]
    pr["body"] = before.replace(RERUN_BOX, TICKED)
    payload = payloads.pull_request(
        "edited", number, base_sha=pr["base_sha"], head_sha=pr["head_sha"], body=pr["body"]
    )
    payload["changes"] = {"body": {"from": before}}
    payload["sender"] = payloads.user(login)
    return run_event(repo, monkeypatch, github, "pull_request", payload)


@pytest.fixture
def bot_pr(agent_repo: Path, github: GitHubStandin) -> int:
    feature_branch(agent_repo, {f"{AGENT}/system.md": "You are a support agent. Be brief.\n"})
    number = open_pull(github, "feature")
    github.pulls[number]["body"] = "Restores v1.\n\n" + rollback_commands("support-agent/system", "v1")
    github.collaborators["alice"] = "write"
    return number


def test_ticking_the_box_runs_the_evaluation_once_and_unticks_it(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, bot_pr: int
) -> None:
    assert RERUN_BOX in github.pulls[bot_pr]["body"]
    run = tick(agent_repo, monkeypatch, github, bot_pr, "alice")
    assert run.result.exit_code == 0, run.err
    assert "alice ticked the re-run box" in run.out
    [report] = bodies(github)
    assert "### support-agent: **regression**" in report
    body = github.pulls[bot_pr]["body"]
    assert RERUN_BOX in body and TICKED not in body  # unticked, so it runs once

    # an edit that does not tick the box (e.g. the bot's own untick) runs nothing
    edited = payloads.pull_request("edited", bot_pr, base_sha="a" * 40, head_sha="b" * 40, body=body)
    edited["changes"] = {"body": {"from": body.replace(RERUN_BOX, TICKED)}}
    run = run_event(agent_repo, monkeypatch, github, "pull_request", edited)
    assert run.result.exit_code == 0 and "without ticking the re-run box" in run.out
    assert len(bodies(github)) == 1 and len(github.calls("issues/update-comment")) == 0


def test_a_box_ticked_without_write_permission_runs_nothing(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, bot_pr: int
) -> None:
    run = tick(agent_repo, monkeypatch, github, bot_pr, "mallory")
    assert run.result.exit_code == 0, run.err
    assert "mallory ticked the re-run box of #1 without write permission; unticked, nothing run" in run.out
    assert bodies(github) == [] and github.statuses == {}
    assert TICKED not in github.pulls[bot_pr]["body"]
