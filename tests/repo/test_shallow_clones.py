"""Shallow clones and repositories with no commit yet (issue 14, item 4).

Each shallow clone is a real `git clone --depth 1 file://...` of a local repository whose
default branch changed the system prompt three times, so the right `vN` is v3.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from promptops.git.change_counts import change_counts
from promptops.git.shallow import ShallowCloneError
from tests.conftest import run_cli
from tests.gitrepo import commit, git, make_repo
from tests.repo.samples import SYSTEM, support_agent

SYSTEM_PATH = "prompts/support-agent/system.md"


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """The bare origin of a repository with three versions of the system prompt on main."""
    work = make_repo(tmp_path / "src", support_agent())
    for n in (2, 3):
        commit(work, {SYSTEM_PATH: SYSTEM + f"Revision {n}.\n"}, f"system prompt, revision {n}", push=True)
    return tmp_path / "src" / "origin.git"


def shallow_clone(origin: Path, dest: Path) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(dest)], check=True, capture_output=True
    )
    assert git(dest, "rev-parse", "--is-shallow-repository") == "true"
    return dest


def test_list_deepens_a_shallow_clone_and_shows_the_right_vn(origin: Path, tmp_path: Path) -> None:
    clone = shallow_clone(origin, tmp_path / "clone")
    result = run_cli(clone, "list")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == (
        "promptops: note: this clone was shallow; "
        "fetched its full history from origin (git fetch --unshallow)"
    )
    row = next(line for line in result.stdout.splitlines() if line.startswith("support-agent/system "))
    assert row.split()[-1] == "v3"
    assert git(clone, "rev-parse", "--is-shallow-repository") == "false"
    again = run_cli(clone, "list")
    assert again.stderr == "" and again.stdout == result.stdout  # no note once complete


def test_history_deepens_and_numbers_every_version(origin: Path, tmp_path: Path) -> None:
    clone = shallow_clone(origin, tmp_path / "clone")
    result = run_cli(clone, "history", "support-agent/system", "--no-fetch")
    assert result.exit_code == 0, result.stderr
    assert "fetched its full history from origin" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"support-agent/system ({SYSTEM_PATH}): 3 versions on main"
    assert [line.split()[0] for line in lines[2:5]] == ["v3*", "v2", "v1"]


def test_without_a_remote_it_stops_instead_of_printing_a_wrong_vn(origin: Path, tmp_path: Path) -> None:
    clone = shallow_clone(origin, tmp_path / "clone")
    git(clone, "remote", "remove", "origin")
    expected = (
        f"promptops: {clone}: error: this is a shallow clone with no remote to deepen it from, so version "
        "numbers would be wrong; fetch the full history (`git fetch --unshallow`), or check out with "
        "`fetch-depth: 0` (actions/checkout)"
    )
    for args in (("list",), ("history", "support-agent/system")):
        result = run_cli(clone, *args)
        assert (result.exit_code, result.stdout, result.stderr.strip()) == (1, "", expected)
    with pytest.raises(ShallowCloneError, match="shallow clone, so version numbers would be wrong"):
        change_counts(clone, git(clone, "rev-parse", "HEAD"), "prompts")  # the guard under every vN


def test_an_unreachable_remote_is_a_one_line_error(origin: Path, tmp_path: Path) -> None:
    clone = shallow_clone(origin, tmp_path / "clone")
    git(clone, "remote", "set-url", "origin", f"file://{tmp_path}/gone.git")
    result = run_cli(clone, "list")
    assert result.exit_code == 1 and result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line
    assert line.startswith(
        f"promptops: {clone}: error: this is a shallow clone and `git fetch --unshallow origin` failed ("
    )
    assert line.endswith(
        "so version numbers would be wrong; fetch the full history (`git fetch --unshallow`), "
        "or check out with `fetch-depth: 0` (actions/checkout)"
    )


def test_compare_with_a_commit_the_shallow_clone_lacks(origin: Path, tmp_path: Path) -> None:
    clone = shallow_clone(origin, tmp_path / "clone")
    result = run_cli(clone, "eval", "support-agent", "--provider", "echo", "--compare", "HEAD~1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.strip() == (
        f"promptops: {clone}: error: unknown git ref 'HEAD~1' (this is a shallow clone, so older commits are "
        "not here: `git fetch --deepen=N` or `git fetch --unshallow`, "
        "or `fetch-depth: 0` with actions/checkout)"
    )
    git(clone, "fetch", "-q", "--deepen=1")
    deeper = run_cli(
        clone, "eval", "support-agent", "--provider", "echo", "--compare", "HEAD~1", "--no-cache"
    )
    assert deeper.exit_code in (0, 1), deeper.stderr  # runs; pass or fail is the echo model's business
    assert "unknown git ref" not in deeper.stderr


def test_a_repository_with_no_commit_yet(tmp_path: Path) -> None:
    repo = tmp_path / "new"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    for rel, text in support_agent().items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(str(text), encoding="utf-8")
    result = run_cli(repo, "history", "support-agent/system")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"promptops: {repo}: error: no commits yet on main; commit the prompts first "
        "(`git add -A && git commit -m 'Add prompts'`), then run this again",
    )
    listed = run_cli(repo, "list")
    assert listed.exit_code == 0 and listed.stderr == ""
    row = next(line for line in listed.stdout.splitlines() if line.startswith("support-agent/system "))
    assert row.split()[-1] == "-"  # nothing deployed yet, and no error
