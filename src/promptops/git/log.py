"""The git history of a file: which commits of a branch changed it.

A prompt's deployed history is the first-parent history of the default branch (each
merged pull request is one step). Each query is a single `git log` process parsed in one
pass (per-commit object lookups would cost a round trip each, which dominates on long
histories), run without GitPython: `promptops history` is mostly this one process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from promptops.git.process import RunningGit, git_bytes, git_text, run_git_raw

NULL_BLOB = "0" * 40


HEADER_FORMAT = "%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%s"
NOTE_FIELD = "%x1f%N"  # the commit's note under the ref given with --notes

Entry = tuple[str, str | None, str, str | None]  # status, old path (renames), path, new blob or None


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
    note: str | None = None  # the commit's note text, when file_log was asked for a notes ref


def file_log(
    root: Path, revs: Iterable[str], path: str, *, first_parent: bool = True, notes_ref: str | None = None
) -> list[FileChange]:
    """Commits reachable from `revs` that changed `path`, newest first, following renames.

    With `notes_ref`, each commit's note comes in the same `git log` process (`%N`).
    """
    args = _log_args(first_parent, notes_ref) + ["--follow", *revs, "--", path]
    out = git_text(root, args, f"reading the history of {path}")
    return parse_raw_log(out, with_notes=notes_ref is not None)


def files_log(
    root: Path, rev: str, paths: Sequence[str], *, notes_ref: str | None = None
) -> dict[str, list[FileChange]]:
    """`file_log(root, [rev], path)` of each of `paths`, from one `git log` process.

    `git log --follow` takes a single path, so several files cost a walk of the whole
    history each. Here one walk lists every change of every path, and renames are followed
    the way `--follow` does: where a path first appears (added, newest first) its commit is
    diffed with rename detection, and if it was a rename the older history is that of the
    old path (`file_log` from the parent). Usually that is one small `git diff-tree`.
    """
    return start_files_log(root, rev, paths, notes_ref=notes_ref).result()


@dataclass
class PendingFilesLog:
    """A `files_log` whose `git log` is running: `result()` waits for it and follows renames.

    `promptops history` starts the walk first and imports, loads and counts while git walks
    (a separate process, so on another core)."""

    root: Path
    paths: Sequence[str]
    notes_ref: str | None
    walk: RunningGit

    def result(self) -> dict[str, list[FileChange]]:
        out = self.walk.output().decode("utf-8", errors="replace")
        return _follow_renames(self.root, _logs_by_path(out, self.paths, self.notes_ref), self.notes_ref)


def start_files_log(
    root: Path, rev: str, paths: Sequence[str], *, notes_ref: str | None = None
) -> PendingFilesLog:
    """`files_log` started: its `git log` runs while the caller goes on."""
    args = _log_args(True, notes_ref) + ["--no-renames", rev, "--", *paths]
    walk = RunningGit(root, args, f"reading the history of {', '.join(paths)}")
    return PendingFilesLog(root, paths, notes_ref, walk)


def _logs_by_path(out: str, paths: Sequence[str], notes_ref: str | None) -> dict[str, list[FileChange]]:
    logs: dict[str, list[FileChange]] = {p: [] for p in paths}
    for fields, note, entries in _commits(out, notes_ref is not None):
        for status, _old, path, blob in entries:
            if path in logs:
                logs[path].append(_change(fields, note, path, None, status, blob))
    return logs


def _follow_renames(
    root: Path, logs: dict[str, list[FileChange]], notes_ref: str | None
) -> dict[str, list[FileChange]]:
    """Where a path was added by a rename, its older history is the old path's (as `--follow`)."""
    additions = [c for changes in logs.values() for c in changes if c.status == "A" and c.parents]
    renames = _renames_into(root, {c.commit: c.parents[0] for c in additions})
    for path, changes in logs.items():
        for i, change in enumerate(changes):
            rename = renames.get((change.commit, path)) if change.status == "A" else None
            if rename is not None:
                status, old_path, blob = rename
                older = file_log(root, [change.parents[0]], old_path, notes_ref=notes_ref)
                renamed = replace(change, status=status, old_path=old_path, blob=blob)
                logs[path] = [*changes[:i], renamed, *older]
                break
    return logs


def on_first_parent_chain(root: Path, base: str, tip: str) -> bool:
    """True when `base` lies on `tip`'s first-parent chain, below it: then the first-parent
    history of `tip` is that of `base..tip` followed by that of `base`."""
    status, out, _ = run_git_raw(root, ["rev-list", "--first-parent", "--parents", f"{base}..{tip}"])
    if status != 0:
        return False
    lines = out.decode().splitlines()
    return bool(lines) and lines[-1].split()[1:2] == [base]


def _renames_into(root: Path, commits: dict[str, str]) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    """{(commit, new path): (status, old path, blob)} of the renames each commit made (against
    the given parent), detected as `--follow` does (`-M`); one `git diff-tree --stdin` for all."""
    if not commits:
        return {}
    args = ["diff-tree", "--stdin", "-r", "-M", "--raw", "-z", "--no-abbrev"]
    lines = "".join(f"{commit} {parent}\n" for commit, parent in commits.items()).encode()
    out = git_bytes(root, args, "following renames", lines)
    tokens = out.decode("utf-8", errors="replace").split("\0")
    renames: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    commit, i = "", 0
    while i < len(tokens):
        if not tokens[i].startswith(":"):  # the commit the records below belong to
            commit, i = tokens[i].strip() or commit, i + 1
            continue
        fields = tokens[i].split()
        if fields[4][0] not in "RC":
            i += 2
            continue
        renames[(commit, tokens[i + 2])] = (fields[4], tokens[i + 1], fields[3])
        i += 3
    return renames


def _log_args(first_parent: bool, notes_ref: str | None) -> list[str]:
    header = HEADER_FORMAT + (NOTE_FIELD if notes_ref else "")
    args = ["log", *(["--first-parent"] if first_parent else [])]
    args += [f"--notes={notes_ref}"] if notes_ref else []
    return [*args, "--raw", "--no-abbrev", "-z", f"--format={header}"]


def parse_raw_log(out: str, *, with_notes: bool = False) -> list[FileChange]:
    """Parse `git log --raw -z --format=HEADER_FORMAT[NOTE_FIELD]` output (one change per commit kept)."""
    changes = []
    for fields, note, entries in _commits(out, with_notes):
        for status, old_path, new_path, blob in entries:
            changes.append(_change(fields, note, new_path, old_path, status, blob))
            break
    return changes


def _commits(out: str, with_notes: bool) -> Iterator[tuple[list[str], str | None, list[Entry]]]:
    """(header fields, note, raw entries) of each commit of the log output."""
    for chunk in out.split("\x1e")[1:]:
        header, _, raw = chunk.partition("\0")
        note = None
        if with_notes:
            header, _, note_text = header.rpartition("\x1f")
            note = note_text.strip() or None
        yield header.split("\x1f", 5), note, list(_raw_entries(raw.lstrip("\n")))


def _change(
    fields: list[str], note: str | None, path: str, old_path: str | None, status: str, blob: str | None
) -> FileChange:
    commit, parents, date, author, email, subject = fields
    return FileChange(
        commit, date, author, email, subject, path, old_path, status, blob, tuple(parents.split()), note
    )


def _raw_entries(raw: str) -> Iterable[Entry]:
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
