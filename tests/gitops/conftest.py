"""Fixtures for the git and GitHub layers: a prompt repository with a bare origin, and the GitHub stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import commit
from tests.standins.github_server import github_standin  # noqa: F401 - pytest fixture

SYSTEM_PATH = "prompts/support-agent/system.md"
SYSTEM_TEXT = "You are a helpful support agent for ACME.\nAlways mention the refund policy.\n"


@pytest.fixture
def prompt_repo(repo: Path) -> Path:
    """The `repo` clone with a support-agent prompt committed and pushed to its bare origin."""
    commit(
        repo,
        {SYSTEM_PATH: SYSTEM_TEXT, "prompts/support-agent/user.md": "{{customer_message}}\n"},
        "add support agent",
        push=True,
    )
    return repo
