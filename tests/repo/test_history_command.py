"""`promptops history` as a user runs it (a subprocess): a fetch that moves the notes walks
again, git failing under the walk is one line and keeps nothing, and a missing prompt or a
typo reads as before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.gitrepo import commit, git, make_repo, write_files
from tests.repo.samples import AGENT_YAML, support_agent
from tests.repo.test_history_lean import git_commands

SYSTEM_PATH = "prompts/support-agent/system.md"
PROMPT = "support-agent/system"


def promptops(
    cwd: Path, *args: str, trace: Path | None = None, python: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`python -m promptops ARGS` as a user runs it."""
    env = {**os.environ, **({"GIT_TRACE": str(trace)} if trace else {})}
    cmd = [sys.executable, *python, "-m", "promptops", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def edited_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path, support_agent())
    commit(repo, {SYSTEM_PATH: "You are a support agent. Mind the refund policy.\n"}, "edit", push=True)
    commit(repo, {SYSTEM_PATH: "You are a support agent. Quote the refund policy.\n"}, "again", push=True)
    return repo


def test_a_fetch_that_moves_the_notes_walks_again(edited_repo: Path, tmp_path: Path) -> None:
    """The notes ref is read with the branch; a fetch that brings notes must not be served the
    walk kept for the notes before it."""
    tip = git(edited_repo, "rev-parse", "HEAD")
    before = promptops(edited_repo, "history", PROMPT, "--json", "--fetch")
    assert json.loads(before.stdout)["versions"][0]["eval"] is None

    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(tmp_path / "origin.git"), str(other))
    git(other, "notes", "--ref=promptops", "add", "-m", '{"verdict": "improvement", "cases": 12}', tip)
    git(other, "push", "-q", "origin", "refs/notes/promptops")

    stale_ok = promptops(edited_repo, "history", PROMPT, "--json")  # fetched a moment ago: not again
    assert json.loads(stale_ok.stdout)["versions"][0]["eval"] is None
    fetched = promptops(edited_repo, "history", PROMPT, "--json", "--fetch", trace=tmp_path / "f.trace")
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["versions"][0]["eval"] == {"verdict": "improvement", "cases": 12}
    assert git_commands(tmp_path / "f.trace").count("log") == 1


def test_git_failing_under_the_walk_is_one_line(edited_repo: Path) -> None:
    """An object the walk needs is gone: the walk fails, and the command says
    so in one line, exits non-zero and keeps no walk."""
    parent = git(edited_repo, "rev-parse", "HEAD~1")
    (edited_repo / ".git" / "objects" / parent[:2] / parent[2:]).unlink()
    done = promptops(edited_repo, "history", PROMPT)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"promptops: git failed while reading the history of {SYSTEM_PATH}"), lines
    assert parent in lines[0] or "bad object" in lines[0] or "could not" in lines[0].lower(), lines
    assert not (edited_repo / ".git" / "promptops" / "file-logs").exists()


def test_a_prompt_missing_from_the_working_tree_and_a_typo(edited_repo: Path) -> None:
    (edited_repo / "prompts/support-agent/tools/lookup_order.md").unlink()  # still on main
    write_files(edited_repo, {"prompts/support-agent/agent.yaml": AGENT_YAML.split("tools:")[0]})
    expected = run_cli(edited_repo, "history", "support-agent/tool:lookup_order", "--json").stdout
    shutil.rmtree(edited_repo / ".git" / "promptops" / "file-logs")
    gone = promptops(edited_repo, "history", "support-agent/tool:lookup_order", "--json")
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout == expected
    assert json.loads(gone.stdout)["path"] == "prompts/support-agent/tools/lookup_order.md"

    typo = promptops(edited_repo, "history", "support-agent/sytem")
    assert (typo.returncode, typo.stderr.strip()) == (
        2,
        "promptops: unknown prompt 'support-agent/sytem'; closest: support-agent/system",
    )
