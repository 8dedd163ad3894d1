"""The bot's branch is leased on the commit the bot last pushed, not on whatever the remote has.

Before: the lease was read with ls-remote just before the push, so re-running `pr` silently
dropped a reviewer's commit. Now the re-run leaves it in place and says so on the PR.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from promptops.git.commits import recreate_branch
from tests.ci import payloads
from tests.ci.conftest import run_event
from tests.conftest import run_cli
from tests.gitrepo import commit, git
from tests.publish.conftest import SYSTEM, optimize
from tests.standins.github_server import GitHubStandin

BRANCH = "promptops/support-agent/system/conciseness"


def reviewer_pushes(origin: Path, where: Path) -> str:
    """A reviewer's commit on the bot's branch, pushed from their own clone."""
    subprocess.run(["git", "clone", "-q", "-b", BRANCH, str(origin), str(where)], check=True)
    sha = commit(where, {SYSTEM: "Reviewer's wording. Follow the refund policy.\n"}, "reviewer tweak")
    git(where, "push", "-q", "origin", BRANCH)
    return sha


def test_a_rerun_leaves_a_reviewers_commit_and_says_how_to_hand_back(
    optimized_repo: Path, github_standin: GitHubStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, first = optimize(optimized_repo, "--open-pr")
    assert first.exit_code == 0, first.stderr
    bot_commit = github_standin.branch_sha(BRANCH)
    theirs = reviewer_pushes(optimized_repo.parent / "origin.git", tmp_path / "reviewer")

    again = run_cli(optimized_repo, "pr", "support-agent/system", "--session", session["id"], "--json")

    assert github_standin.branch_sha(BRANCH) == theirs  # nothing overwritten
    out = json.loads(again.stdout)
    assert "has commits promptops did not make" in out["message"]
    assert "said so on pull request #1" in out["message"]
    notice = [c["body"] for c in github_standin.comments.values() if "hand-edited" in c["body"]]
    assert len(notice) == 1 and "comment `/promptops recreate`" in notice[0]
    assert "Test Author" in notice[0]  # who made the tip commit

    # handing it back with `/promptops recreate`: the branch returns to the bot's commit
    github_standin.collaborators["alice"] = "write"
    comment_id = github_standin.add_comment(1, "/promptops recreate", "alice")
    payload = payloads.issue_comment("/promptops recreate", number=1, login="alice", comment_id=comment_id)
    run = run_event(
        optimized_repo,
        monkeypatch,
        github_standin,
        "issue_comment",
        payload,
        GITHUB_REPOSITORY="octo-org/prompts",
    )
    assert run.result.exit_code == 0, run.err
    assert github_standin.branch_sha(BRANCH) == bot_commit
    reply = next(c["body"] for c in github_standin.comments.values() if f"reply-{comment_id}" in c["body"])
    assert f"reset to `{bot_commit[:10]}`, dropping 1 commit (`{theirs[:10]}`)" in reply
    assert recreate_branch(optimized_repo, BRANCH).dropped == []  # already handed back
    rerun = run_cli(optimized_repo, "pr", "support-agent/system", "--session", session["id"], "--json")
    assert rerun.exit_code == 0, rerun.stderr
    assert "updated pull request #1" in json.loads(rerun.stdout)["message"]
    assert github_standin.branch_sha(BRANCH) != theirs
