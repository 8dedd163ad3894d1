"""A PR report names the commit it compared against and flags a comparison the default
branch has since made stale (it changed the same agent), with how to refresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci import payloads
from tests.ci.conftest import AGENT, bodies, feature_branch, open_pull, run_event
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin


def synchronize(number: int, base_tip: str, head: str) -> dict:
    return payloads.pull_request("synchronize", number, base_sha=base_tip, head_sha=head)


def test_the_default_branch_changing_the_same_agent_makes_the_report_stale(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    merge_base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": "Mention the refund policy.\n"})
    number = open_pull(github, "feature")
    run = run_event(agent_repo, monkeypatch, github, "pull_request", synchronize(number, merge_base, head))
    assert run.result.exit_code == 0, run.err
    [fresh] = bodies(github)
    assert f"vs merge base `{merge_base[:10]}`" in fresh and "Stale comparison" not in fresh

    # main moves on: a docs change alone keeps the comparison current
    docs_tip = commit(agent_repo, {"README.md": "docs\n"}, "docs", push=True)
    run_event(agent_repo, monkeypatch, github, "pull_request", synchronize(number, docs_tip, head))
    assert "Stale comparison" not in bodies(github)[0]

    # ... then changes the same agent: the report says the comparison is stale and how to refresh
    tip = commit(agent_repo, {f"{AGENT}/user.md": "Customer: {{customer_message}}\n"}, "reword", push=True)
    run = run_event(agent_repo, monkeypatch, github, "pull_request", synchronize(number, tip, head))
    assert run.result.exit_code == 0, run.err
    [stale] = bodies(github)  # the same sticky comment, edited
    assert git(agent_repo, "merge-base", tip, head) == merge_base
    assert "> [!WARNING]\n> **Stale comparison.** This report compares against merge base " in stale
    assert (
        f"`{merge_base[:10]}`, but `main` has moved on to `{tip[:10]}` and changed support-agent since"
        in stale
    )
    assert "`git merge origin/main` and push" in stale and "`/promptops eval support-agent`" in stale
