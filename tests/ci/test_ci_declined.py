""" "No means no": closing an optimize PR unmerged stops the schedule proposing it again, until
the prompt changes or a maintainer un-ignores it. Real PyGithub against the GitHub stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.version_ids import version_id
from tests.ci import payloads
from tests.ci.conftest import AGENT, bodies, run_event, write_config
from tests.ci.test_ci_publish import OFFLINE, VARIANT, command, wordy_repo  # noqa: F401 - fixture
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin

SCHEDULED = {**OFFLINE, "schedule": {"prompts": [{"prompt": "support-agent/system", "goal": "conciseness"}]}}
UNDO = "/promptops unignore support-agent/system --goal conciseness"


def schedule(repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin):  # noqa: ANN201
    run = run_event(repo, monkeypatch, github, "schedule", payloads.schedule())
    assert run.result.exit_code == 0, run.err
    return run


def close_unmerged(repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin, number: int):  # noqa: ANN201
    """Close PR `number` on the stand-in as a maintainer would, then deliver the `closed` event."""
    status, pr, _ = github.handle(
        "PATCH",
        f"/repos/{github.owner}/{github.name}/pulls/{number}",
        {"authorization": f"token {github.token}"},
        {"state": "closed"},
    )
    assert status == 200 and pr["state"] == "closed"
    payload = payloads.pull_request(
        "closed",
        number,
        base_sha=git(repo, "rev-parse", "main"),
        head_sha=pr["head"]["sha"],
        head_ref=pr["head"]["ref"],
        body=pr["body"],
        author="promptops-bot",
    )
    payload["sender"] = payloads.user("alice")
    run = run_event(repo, monkeypatch, github, "pull_request", payload)
    assert run.result.exit_code == 0, run.err
    return run


def test_a_closed_pr_is_not_proposed_again_until_the_prompt_changes(
    wordy_repo: Path,  # noqa: F811 - the fixture
    github: GitHubStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(wordy_repo, SCHEDULED)
    schedule(wordy_repo, monkeypatch, github)
    [first] = github.pulls.values()
    base_version = git(wordy_repo, "rev-parse", f"main:{AGENT}/system.md")

    run = close_unmerged(wordy_repo, monkeypatch, github, first["number"])
    assert "closed unmerged: support-agent/system goal conciseness ignored" in run.out
    close_unmerged(wordy_repo, monkeypatch, github, first["number"])  # a re-run edits, never reposts
    [said] = [b for b in bodies(github) if "Closed without merging" in b]
    assert "will not propose goal `conciseness` for `support-agent/system`" in said and UNDO in said
    note = json.loads(
        git(wordy_repo.parent / "origin.git", "notes", "--ref=refs/notes/promptops", "show", base_version)
    )
    assert note["ignored"]["support-agent/system"]["conciseness"]["pr"] == first["number"]
    assert note["ignored"]["support-agent/system"]["conciseness"]["by"] == "alice"

    run = schedule(wordy_repo, monkeypatch, github)
    assert f"goal conciseness skipped: pull request #{first['number']} was closed unmerged" in run.out
    assert UNDO in run.out and len(github.pulls) == 1

    changed = git(wordy_repo, "show", f"main:{AGENT}/system.md") + "\nAlways thank the customer.\n"
    commit(wordy_repo, {f"{AGENT}/system.md": changed}, "reword the system prompt", push=True)
    assert version_id(changed) != base_version
    run = schedule(wordy_repo, monkeypatch, github)
    assert "skipped" not in run.out
    assert [pr["head"] for pr in github.pulls.values() if pr["state"] == "open"] == [VARIANT]
    assert len(github.pulls) == 2


def test_a_maintainer_unignores_and_the_schedule_proposes_it_again(
    wordy_repo: Path,  # noqa: F811 - the fixture
    github: GitHubStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(wordy_repo, SCHEDULED)
    schedule(wordy_repo, monkeypatch, github)
    [first] = github.pulls.values()
    close_unmerged(wordy_repo, monkeypatch, github, first["number"])

    run = command(wordy_repo, monkeypatch, github, UNDO)
    assert run.result.exit_code == 0, run.err
    [reply] = [c["body"] for c in github.comments.values() if c["issue"] == 30 and c["login"] == github.login]
    assert "may propose goal `conciseness` for `support-agent/system` again" in reply
    assert f"#{first['number']} was closed" in reply
    run = command(wordy_repo, monkeypatch, github, UNDO + " ")  # nothing left to undo
    assert "Nothing to undo" in bodies(github)[-1]

    run = schedule(wordy_repo, monkeypatch, github)
    assert "skipped" not in run.out and len(github.pulls) == 2


def test_a_merged_or_foreign_pr_records_nothing(
    wordy_repo: Path,  # noqa: F811 - the fixture
    github: GitHubStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = git(wordy_repo, "rev-parse", "main")
    merged = payloads.pull_request("closed", 4, base_sha=main, head_sha=main, head_ref=VARIANT)
    merged["pull_request"]["merged"] = True
    run = run_event(wordy_repo, monkeypatch, github, "pull_request", merged)
    assert run.result.exit_code == 0 and "was merged" in run.out
    # a marker pasted into someone's own branch's PR is not a promptops proposal
    body = f"<!-- promptops:pr prompt=support-agent/system goal=conciseness base={'a' * 40} -->"
    foreign = payloads.pull_request("closed", 5, base_sha=main, head_sha=main, head_ref="feature", body=body)
    run = run_event(wordy_repo, monkeypatch, github, "pull_request", foreign)
    assert run.result.exit_code == 0 and "not a promptops optimize PR" in run.out
    assert (
        github.comments == {}
        and git(wordy_repo.parent / "origin.git", "notes", "--ref=refs/notes/promptops", "list") == ""
    )
