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

from promptops.config import Config
from promptops.errors import NotFoundError, PromptopsError
from promptops.gitops.git import default_branch as detect_default_branch
from promptops.gitops.git import find_remote, open_repo

NULL_BLOB = "0" * 40
HEADER_FORMAT = "%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%s"


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
    parents: tuple[str, ...] = ()  # a merge's second parent is the merged branch's head


@dataclass(frozen=True)
class DefaultBranch:
    """The default branch's name and a revision naming it (local branch, else origin's)."""

    name: str
    rev: str | None
    commit: str | None


def resolve_default_branch(root: Path, config: Config) -> DefaultBranch:
    """The default branch (named as `promptops.gitops.git.default_branch` decides) and a
    revision for it: the local branch, else the remote's. One `for-each-ref` call.
    """
    repo = open_repo(root)
    try:
        remote = find_remote(repo) or "origin"
        name = detect_default_branch(repo, config.get("default_branch"), remote)
        out = repo.git.for_each_ref(
            "--format=%(refname)%00%(objectname)", f"refs/heads/{name}", f"refs/remotes/{remote}/{name}"
        )
    except PromptopsError as exc:
        raise NotFoundError(f"{root}: error: {exc}") from exc
    finally:
        repo.close()
    commits = dict(line.split("\0") for line in out.splitlines() if line)
    rev = next((r for r in (f"refs/heads/{name}", f"refs/remotes/{remote}/{name}") if r in commits), None)
    return DefaultBranch(name, rev, commits.get(rev) if rev else None)


def default_branch(root: Path, config: Config) -> str:
    """The name of the branch whose history is the deployed one."""
    return resolve_default_branch(root, config).name


def default_branch_ref(root: Path, config: Config) -> str:
    """A revision for the default branch, or NotFoundError when it has no commit yet."""
    branch = resolve_default_branch(root, config)
    if branch.rev is None:
        raise NotFoundError(f"{root}: error: default branch {branch.name!r} does not exist (no commits yet?)")
    return branch.rev


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
        commit, parents, date, author, email, subject = header.split("\x1f", 5)
        for status, old_path, new_path, blob in _raw_entries(raw.lstrip("\n")):
            changes.append(
                FileChange(
                    commit,
                    date,
                    author,
                    email,
                    subject,
                    new_path,
                    old_path,
                    status,
                    blob,
                    tuple(parents.split()),
                )
            )
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
    blob_ids = list(blob_ids)
    if not blob_ids:
        return {}
    repo = open_repo(root)
    try:
        return {blob: repo.odb.stream(bytes.fromhex(blob)).read() for blob in dict.fromkeys(blob_ids)}
    finally:
        repo.close()
