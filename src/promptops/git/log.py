"""The git history of one file: which commits of a branch changed it.

A prompt's deployed history is the first-parent history of the default branch (each
merged pull request is one step). Each query is a single `git log` call parsed in one
pass: per-commit object lookups through GitPython would cost a process round trip each,
which dominates on long histories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from promptops.git.repository import open_repo

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
