"""One open optimize PR per prompt: a second goal waits and is told which PR holds the lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci import payloads
from tests.ci.conftest import run_event, write_config
from tests.ci.test_ci_publish import OFFLINE, VARIANT, bot_reply, command, wordy_repo  # noqa: F401 - fixture
from tests.standins.github_server import GitHubStandin

TWO_GOALS = {
    **OFFLINE,
    "schedule": {
        "prompts": [
            {"prompt": "support-agent/system", "goal": "conciseness"},
            {"prompt": "support-agent/system", "goal": "clarity"},
        ]
    },
}


def test_a_second_goal_waits_for_the_open_pr_of_the_same_prompt(
    wordy_repo: Path,  # noqa: F811 - the fixture
    github: GitHubStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(wordy_repo, TWO_GOALS)
    run = run_event(wordy_repo, monkeypatch, github, "schedule", payloads.schedule())
    assert run.result.exit_code == 0, run.err
    [pr] = github.pulls.values()
    assert pr["head"] == VARIANT
    url = f"https://github.example/{github.owner}/{github.name}/pull/{pr['number']}"
    assert (
        f"support-agent/system: goal clarity waits: pull request #{pr['number']} (goal conciseness) "
        f"holds the lock: {url}" in run.out
    )
    assert "optimizing support-agent/system for clarity" not in run.out

    run = command(wordy_repo, monkeypatch, github, "/promptops optimize support-agent/system --goal clarity")
    assert run.result.exit_code == 0, run.err
    reply = bot_reply(github)
    assert f"already has an open optimize pull request, #{pr['number']} (goal `conciseness`): {url}" in reply
    assert len(github.pulls) == 1
    assert len(list((wordy_repo / ".promptops" / "sessions").glob("*.json"))) == 1  # nothing else optimized
