"""The git history of prompt files: which commits of the default branch changed them.

A prompt's deployed history is the first-parent history of the default branch (each
merged pull request is one step). Each query is a single `git log` (or `ls-tree`) call
parsed in one pass: per-commit object lookups through GitPython would cost a process
round trip each, which dominates on long histories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import git

from promptops.config import Config
from promptops.errors import NotFoundError
from promptops.gitops.tree import open_repo

NULL_BLOB = "0" * 40
HEADER_FORMAT = "%x1e%H%x1f%aI%x1f%an%x1f%ae%x1f%s"


@dataclass(frozen=True)
class FileChange:
    """One commit that changed one file: the file's blob after it (None if deleted)."""

    commit: str
    date: str
    author: str
    email: str
    subject: str
    path: str
    old_path: str | None
    status: str
    blob: str | None


def default_branch(root: Path, config: Config) -> str:
    """The branch name whose history is the deployed one.

    `default_branch` in .promptops.yaml, else what `origin/HEAD` points at, else `main`
    or `master` when such a branch exists locally or on origin.
    """
    configured = config.get("default_branch")
    if configured:
        return configured
    repo = open_repo(root)
    try:
        head = repo.git.symbolic_ref("--quiet", "refs/remotes/origin/HEAD", with_exceptions=False)
        if head.startswith("refs/remotes/origin/"):
            return head.removeprefix("refs/remotes/origin/")
        for name in ("main", "master"):
            if _rev_exists(repo, name) or _rev_exists(repo, f"origin/{name}"):
                return name
    finally:
        repo.close()
    raise NotFoundError(
        f"{root}: error: cannot tell the default branch (no origin/HEAD, no main or master); "
        "set default_branch in .promptops.yaml"
    )


def default_branch_ref(root: Path, config: Config) -> str:
    """A revision for the default branch: the local branch if it exists, else `origin/<name>`."""
    name = default_branch(root, config)
    repo = open_repo(root)
    try:
        for rev in (f"refs/heads/{name}", f"refs/remotes/origin/{name}", name):
            if _rev_exists(repo, rev):
                return rev
    finally:
        repo.close()
    raise NotFoundError(f"{root}: error: default branch {name!r} does not exist (no commits yet?)")


def _rev_exists(repo: git.Repo, rev: str) -> bool:
    try:
        repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}")
    except git.GitCommandError:
        return False
    return True


def file_log(root: Path, revs: Iterable[str], path: str, *, first_parent: bool = True) -> list[FileChange]:
    """Commits reachable from `revs` that changed `path`, newest first, following renames."""
    args = ["--follow", "--raw", "--no-abbrev", "-z", f"--format={HEADER_FORMAT}"]
    if first_parent:
        args.insert(0, "--first-parent")
    repo = open_repo(root)
    try:
        out = repo.git.log(*args, *revs, "--", path)
    finally:
        repo.close()
    return parse_raw_log(out)


def parse_raw_log(out: str) -> list[FileChange]:
    """Parse `git log --raw -z --format=HEADER_FORMAT` output (one change per commit kept)."""
    changes = []
    for chunk in out.split("\x1e")[1:]:
        header, _, raw = chunk.partition("\0")
        commit, date, author, email, subject = header.split("\x1f", 4)
        for status, old_path, new_path, blob in _raw_entries(raw.lstrip("\n")):
            changes.append(FileChange(commit, date, author, email, subject, new_path, old_path, status, blob))
            break
    return changes


def _raw_entries(raw: str) -> Iterable[tuple[str, str | None, str, str | None]]:
    """(status, old path if renamed/copied, path, new blob or None) per `:...` record."""
    tokens = raw.split("\0")
    i = 0
    while i < len(tokens):
        meta = tokens[i]
        if not meta.startswith(":"):
            i += 1
            continue
        fields = meta.split()
        status, blob = fields[4], fields[3]
        if status[0] in "RC":
            old, new, i = tokens[i + 1], tokens[i + 2], i + 3
        else:
            old, new, i = None, tokens[i + 1], i + 2
        yield status, old, new, None if blob == NULL_BLOB else blob


def change_counts(root: Path, rev: str, folder: str) -> dict[str, int]:
    """For each file under `folder` at `rev`: how many first-parent commits changed it.

    One `git log --name-status -M` pass, oldest first, carrying counts across renames
    so the figure matches `file_log` (which follows renames) for each file. Deleted
    files keep their count; callers look up only files that exist.
    """
    repo = open_repo(root)
    try:
        out = repo.git.log(
            "--first-parent",
            "--reverse",
            "--name-status",
            "-M",
            "-z",
            "--format=%x1e",
            rev,
            "--",
            folder or ".",
        )
    finally:
        repo.close()
    counts: dict[str, int] = {}
    for chunk in out.split("\x1e")[1:]:
        tokens = [t for t in chunk.lstrip("\n").split("\0") if t]
        i = 0
        while i < len(tokens):
            status = tokens[i]
            if status[0] in "RC":
                old, new, i = tokens[i + 1], tokens[i + 2], i + 3
                counts[new] = counts.get(old, 0) + 1
                if status[0] == "R":
                    counts.pop(old, None)
            else:
                path, i = tokens[i + 1], i + 2
                counts[path] = counts.get(path, 0) + 1
    return counts


def tree_blobs(root: Path, rev: str, folder: str) -> dict[str, str]:
    """Blob id of every file under `folder` at `rev`, in one `git ls-tree -r` call."""
    repo = open_repo(root)
    try:
        out = repo.git.ls_tree("-r", "-z", "--full-tree", rev, "--", folder or ".")
    finally:
        repo.close()
    blobs = {}
    for record in out.split("\0"):
        if record:
            meta, path = record.split("\t", 1)
            _mode, kind, blob = meta.split()
            if kind == "blob":
                blobs[path] = blob
    return blobs


def read_blobs(root: Path, blob_ids: Iterable[str]) -> dict[str, bytes]:
    """Contents of the given blobs, through one persistent `git cat-file` process."""
    repo = open_repo(root)
    try:
        return {blob: repo.odb.stream(bytes.fromhex(blob)).read() for blob in dict.fromkeys(blob_ids)}
    finally:
        repo.close()
