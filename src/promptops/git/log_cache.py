"""File logs kept in the git directory between runs: `promptops history` without the walk.

Walking a 10,000-commit history costs git ~0.1 s on every call, while the answer is a pure
function of the tip commit, the notes ref's commit and the paths asked for. So what
`files_log` returns is kept per set of paths in `<git dir>/promptops/file-logs/`, with
those two commits, and reused while both are unchanged. When the branch moved on along its
first-parent chain, only the new commits are walked and put in front (unless one of them
renamed a file into a path: then, as `--follow` does, the older history is the old
path's, and the walk from the new commits already holds it). Anything else (a new note
added, fetched or merged; a rewritten branch) walks again. Like the change counts, it
lives in the git directory, never in the working tree, and is skipped if it cannot be read
or written.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from promptops.git.log import FileChange, PendingFilesLog, on_first_parent_chain, start_files_log
from promptops.git.process import git_dir, git_text

CACHE_FORMAT = 1
CACHE_FOLDER = "promptops/file-logs"  # under the common git directory


def cached_files_log(
    root: Path, commit: str, paths: Sequence[str], *, notes_ref: str
) -> dict[str, list[FileChange]]:
    """`files_log(root, commit, paths, notes_ref=notes_ref)`, from the cache when it still holds."""
    return start_cached_files_log(root, commit, paths, notes_ref=notes_ref).result()


def notes_commit(root: Path, notes_ref: str) -> str:
    """The commit `notes_ref` points at ("" when there are no notes yet)."""
    out = git_text(root, ["for-each-ref", "--format=%(objectname)", notes_ref], "reading the notes ref")
    return out.strip()


@dataclass
class KeptLogs:
    """`cached_files_log`'s answer, ready (kept) or being walked by git (`walking`) meanwhile."""

    paths: Sequence[str]
    cache_file: Path
    key: dict[str, object]
    logs: dict[str, list[FileChange]] | None = None
    walk: PendingFilesLog | None = None
    older: dict[str, list[FileChange]] | None = None  # the kept logs the walk's new commits go before

    @property
    def walking(self) -> bool:
        return self.logs is None

    def result(self) -> dict[str, list[FileChange]]:
        """The logs (waiting for git if it still walks); a new walk's answer is kept."""
        if self.logs is None:
            assert self.walk is not None
            new = self.walk.result()
            older = self.older
            self.logs = (
                new
                if older is None
                else {p: new[p] if _renamed_into(new[p]) else new[p] + older[p] for p in self.paths}
            )
            rows = {p: [_row(c) for c in changes] for p, changes in self.logs.items()}
            _write(self.cache_file, {**self.key, "logs": rows})
        return self.logs


def start_cached_files_log(
    root: Path, commit: str, paths: Sequence[str], *, notes_ref: str, notes: str | None = None
) -> KeptLogs:
    """`cached_files_log` without waiting: a kept answer, or the `git log` walk started.

    `notes`: the commit `notes_ref` points at, when the caller has read it already ("" for none).
    """
    notes = notes_commit(root, notes_ref) if notes is None else notes
    key = {"format": CACHE_FORMAT, "commit": commit, "notes": notes, "paths": list(paths)}
    cache_file = git_dir(root) / CACHE_FOLDER / f"{zlib.crc32(json.dumps(key['paths']).encode()):08x}.json"
    cached_commit, cached = _read(cache_file, key)
    kept = KeptLogs(paths, cache_file, key)
    if cached is not None and cached_commit == commit:
        kept.logs = cached
    elif cached is not None and on_first_parent_chain(root, cached_commit, commit):
        kept.walk = start_files_log(root, f"{cached_commit}..{commit}", paths, notes_ref=notes_ref)
        kept.older = cached
    else:
        kept.walk = start_files_log(root, commit, paths, notes_ref=notes_ref)
    return kept


def _row(change: FileChange) -> list[object]:
    c = change
    head = [c.commit, c.date, c.author, c.email, c.subject, c.path, c.old_path, c.status]
    return [*head, c.blob, c.parents, c.note]


def _renamed_into(changes: list[FileChange]) -> bool:
    return any(c.status[0] in "RC" for c in changes)


def _read(path: Path, key: dict[str, object]) -> tuple[str, dict[str, list[FileChange]] | None]:
    """(the commit the kept logs were walked from, the logs), or ("", None) when there are none
    for these paths and these notes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if any(data.get(k) != v for k, v in key.items() if k != "commit"):
            return "", None
        rows_by_path = data["logs"]
        logs = {p: [FileChange(*r[:9], tuple(r[9]), r[10]) for r in rows_by_path[p]] for p in key["paths"]}
        return str(data["commit"]), logs
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return "", None


def _write(path: Path, data: dict[str, object]) -> None:
    """Atomic replace, so a concurrent reader sees the old or the new file, never half of one
    (a scratch name of this process rather than `tempfile`, whose import costs more than this)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "x", encoding="utf-8") as out:
            out.write(json.dumps(data))  # the C encoder: json.dump streams through the Python one
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):  # a cache that cannot be written is skipped
            tmp.unlink(missing_ok=True)
