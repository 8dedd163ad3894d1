"""Rollouts from Actions: the scheduled run checks every running rollout against the logs in
`rollout.logs`, and `/promptops rollout AGENT/NAME` does the same for one, from a maintainer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.bot.pr_commands_check import section_commands
from tests.ci import payloads
from tests.ci.conftest import AGENT, feature_branch, open_pull, run_event
from tests.gitrepo import commit, git
from tests.rollout.agents import CANDIDATE, rollout_yaml
from tests.rollout.traffic_sim import serve
from tests.standins.github_server import GitHubStandin


@pytest.fixture
def rolling_repo(agent_repo: Path) -> Path:
    """support-agent with a rollout at 5% merged on main, and production logs in prod-logs/."""
    config = yaml.safe_load((agent_repo / ".promptops.yaml").read_text())
    config["rollout"] = {"logs": ["prod-logs/*.jsonl"]}
    files = {
        ".promptops.yaml": yaml.safe_dump(config),
        f"{AGENT}/system.candidate.md": CANDIDATE,
        f"{AGENT}/rollout.yaml": rollout_yaml(5, analysis={"min_samples": 500}),
        ".gitignore": ".promptops/\nprod-logs/\n",
    }
    commit(agent_repo, files, "start rollout", push=True)
    return agent_repo


def production(repo: Path, success: dict[str, float]) -> None:
    (repo / "prod-logs").mkdir(exist_ok=True)
    serve(
        repo / "prompts",
        repo / "prod-logs" / "calls.jsonl",
        14_000,
        start=datetime.now(UTC) + timedelta(seconds=1),
        success=success,
    )


def test_the_schedule_advances_a_healthy_rollout_by_pull_request(
    rolling_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    production(rolling_repo, {"stable": 0.9, "candidate": 0.9})
    run = run_event(rolling_repo, monkeypatch, github, "schedule", payloads.schedule())
    assert run.result.exit_code == 0, run.err
    assert "support-agent/system: advance: no regression on success_rate" in run.out
    [pr] = github.pulls.values()
    assert pr["head"] == "promptops/support-agent/system/rollout"
    listed = section_commands(pr["body"])
    assert (listed[0].name, listed[0].prompt_id) == ("rollout", "support-agent/system")
    assert "weight: 25" in git(rolling_repo, "show", f"origin/{pr['head']}:{AGENT}/rollout.yaml")


def test_a_maintainer_aborts_a_bad_rollout_from_a_comment(
    rolling_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    production(rolling_repo, {"stable": 0.95, "candidate": 0.70})
    github.collaborators.update({"alice": "write"})
    feature_branch(rolling_repo, {"notes.md": "a pull request to comment on\n"}, name="note")
    number = open_pull(github, "note")
    comment_id = github.add_comment(number, "/promptops rollout support-agent/system", "alice")
    payload = payloads.issue_comment(
        "/promptops rollout support-agent/system", number=number, login="alice", comment_id=comment_id
    )
    run = run_event(rolling_repo, monkeypatch, github, "issue_comment", payload)
    assert run.result.exit_code == 0, run.err
    git(rolling_repo, "fetch", "-q", "origin")
    assert yaml.safe_load(git(rolling_repo, "show", f"origin/main:{AGENT}/rollout.yaml"))["weight"] == 0
    reply = [c["body"] for c in github.comments.values() if c["login"] == github.login][-1]
    assert "abort" in reply and "regressed" in reply


def test_without_rollout_logs_nothing_moves_and_the_run_says_so(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(
        agent_repo,
        {f"{AGENT}/system.candidate.md": CANDIDATE, f"{AGENT}/rollout.yaml": rollout_yaml(5)},
        "start rollout",
        push=True,
    )
    run = run_event(agent_repo, monkeypatch, github, "schedule", payloads.schedule())
    assert "rollouts not checked (support-agent/system): set rollout.logs" in run.out
    assert github.pulls == {}
