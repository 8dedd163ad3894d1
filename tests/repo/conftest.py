"""Sample repositories for the repo-model tests, built once per session and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.gitrepo import make_repo
from tests.repo.samples import support_agent

IDENTITY = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
}


@pytest.fixture(scope="session")
def agent_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone (with a bare origin) whose one commit holds the sample `support-agent`."""
    root = tmp_path_factory.mktemp("agent-template")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(root))
        for name, value in IDENTITY.items():
            env.setenv(name, value)
        return make_repo(root, support_agent())


@pytest.fixture
def agent_repo(agent_template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample repository (its origin is shared: do not push)."""
    copy = tmp_path / "work"
    shutil.copytree(agent_template, copy, symlinks=True)
    return copy
