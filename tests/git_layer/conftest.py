"""Fixtures for the git and GitHub layers: a prompt repository with a bare origin, and the GitHub stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from promptops.git.commits import PublishResult, publish_variant
from promptops.version_ids import version_id
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


def publish(
    work: Path, text: str, *, run: str = "run-1", goal: str = "conciseness", **kw: Any
) -> PublishResult:
    return publish_variant(
        work,
        agent="support-agent",
        prompt="system",
        goal=goal,
        files={SYSTEM_PATH: text},
        prompt_path=SYSTEM_PATH,
        base_version=version_id(SYSTEM_TEXT),
        run_id=run,
        summary=f"{goal}, -23% tokens, pass rate unchanged",
        note={"run": run, "pass_rate": {"base": 0.85, "variant": 0.86}},
        **kw,
    )
