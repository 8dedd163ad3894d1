"""A prompt repository with a bare origin and a deployment history, and the GitHub stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import commit, git
from tests.repo.samples import support_agent
from tests.standins.github_server import github_standin  # noqa: F401 - pytest fixture

SYSTEM = "prompts/support-agent/system.md"
USER = "prompts/support-agent/user.md"
V1 = "You are a support agent. Follow the refund policy.\n"
V2 = "You are a friendly support agent. Follow the refund policy.\n"
V3 = "You are a terse support agent. Follow the refund policy. Answer in one line.\n"
USER_V2 = "Customer says (v2): {{customer_message}}\n"


def merge_pull_request(repo: Path, branch: str, files: dict[str, str], number: int) -> str:
    """What GitHub's merge button does: a branch merged with `--no-ff`, pushed; returns the merge."""
    git(repo, "checkout", "-q", "-b", branch)
    commit(repo, files, f"edit on {branch}")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", branch, "-m", f"Merge pull request #{number} from octo-org/{branch}")
    git(repo, "push", "-q", "origin", "main")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def deployed_repo(repo: Path) -> Path:
    """main: v1 (the agent added), v2 (a plain commit), v3 (PR #7, which also changed user.md)."""
    commit(repo, support_agent(), "add support agent", push=True)
    commit(repo, {SYSTEM: V2}, "friendlier", push=True)
    merge_pull_request(repo, "terse", {SYSTEM: V3, USER: USER_V2}, 7)
    return repo
