"""Test isolation: no test may touch the real home, caches, keys or network credentials."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from promptops.cli import main
from tests.gitrepo import make_repo

# Model stand-ins (`anthropic_standin`, `openai_standin`) for every test package.
pytest_plugins = ["tests.standins.fixtures"]

SECRET_VARS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "GITHUB_TOKEN",
    "OPENAI_API_KEY",
    "GITHUB_REPOSITORY",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_STEP_SUMMARY",
    "PROMPTOPS_CACHE",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.com",
    }.items():
        monkeypatch.setenv(name, value)
    for name in SECRET_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A working clone (with a bare origin) holding one commit."""
    return make_repo(tmp_path)


def run_cli(cwd: Path, *args: str, input: str | None = None) -> Result:
    """Run `promptops -C cwd ARGS...` in-process, stdout and stderr kept apart."""
    runner = CliRunner()
    return runner.invoke(
        main,
        ["-C", str(cwd), *args],
        input=input,
        catch_exceptions=False,
        env={k: os.environ.get(k) for k in ("HOME",)},
    )
