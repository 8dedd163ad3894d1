"""`promptops history` as a user runs it stays lean: one `git log` for the versions, their
notes and the rollout steps (none while the branch and the notes have not moved), no
network once the notes are fresh, and none of the heavy libraries it does not need
imported (speed itself is shown by bench/history.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gitrepo import commit, git, make_repo
from tests.repo.samples import support_agent

SYSTEM_PATH = "prompts/support-agent/system.md"
NOT_NEEDED = ("git", "rich", "jsonschema", "anthropic", "tiktoken", "httpx", "github")


def run_history(repo: Path, trace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TRACE": str(trace)}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "promptops", "history", "support-agent/system", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def git_commands(trace: Path) -> list[str]:
    """The git subcommands a traced run started, in order."""
    lines = trace.read_text(encoding="utf-8").splitlines()
    return [line.split("built-in: git ", 1)[1].split()[0] for line in lines if "built-in: git " in line]


def imported(importtime_stderr: str) -> set[str]:
    lines = importtime_stderr.splitlines()
    return {line.rsplit("|", 1)[1].strip() for line in lines if "import time:" in line}


def test_history_runs_one_git_log_then_none_until_the_branch_or_notes_move(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, support_agent())
    edited = "You are a support agent. Follow the refund policy. Be brief.\n"
    commit(repo, {SYSTEM_PATH: edited}, "edit", push=True)
    git(repo, "notes", "--ref=refs/notes/promptops", "add", "-m", '{"verdict": "improvement"}', "HEAD")
    git(repo, "push", "-q", "origin", "refs/notes/promptops")

    first = run_history(repo, tmp_path / "first.trace")  # fetches origin's notes, counts tokens
    assert first.returncode == 0, first.stderr
    commands = git_commands(tmp_path / "first.trace")
    assert "fetch" in commands and commands.count("log") == 1, commands

    second = run_history(repo, tmp_path / "second.trace")  # nothing moved: no walk at all
    assert second.returncode == 0, second.stderr
    commands = git_commands(tmp_path / "second.trace")
    assert not {"log", "fetch", "ls-remote", "cat-file", "notes"} & set(commands), commands
    assert len(commands) <= 3, commands
    assert second.stdout == first.stdout
    assert "improvement" in second.stdout and "v2*" in second.stdout
    assert not set(NOT_NEEDED) & imported(second.stderr)

    git(repo, "notes", "--ref=refs/notes/promptops", "add", "-f", "-m", '{"verdict": "regression"}', "HEAD")
    noted = run_history(repo, tmp_path / "noted.trace")
    assert git_commands(tmp_path / "noted.trace").count("log") == 1
    assert "regression" in noted.stdout and "improvement" not in noted.stdout

    commit(repo, {SYSTEM_PATH: "You are a support agent. Mind the refund policy.\n"}, "third")
    moved = run_history(repo, tmp_path / "moved.trace")
    assert git_commands(tmp_path / "moved.trace").count("log") == 1
    assert "v3*" in moved.stdout and "third" in moved.stdout
