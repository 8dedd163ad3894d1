"""Reading commits for CI events: merge bases, changed paths, first-parent ranges, deploy notes.

A workflow run gets bare commit ids from the event payload (`base.sha`, `head.sha`,
`before`, `after`); these functions answer what changed between them. A commit the clone
does not have is a clear error naming the fix (`fetch-depth: 0`), not a git traceback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git

from promptops.errors import PromptopsError
from promptops.gitops.git import (
    NOTES_REF,
    _add_note,
    _fetch_remote_notes,
    _merge_remote_notes,
    _rejected_refs,
    _run_raw,
    find_remote,
    open_repo,
)

_NULL_SHA = re.compile(r"^0+$")


class MissingCommit(PromptopsError):
    """The event names a commit this clone does not have."""


def has_commit(root: Path, sha: str) -> bool:
    repo = open_repo(root)
    try:
        repo.git.cat_file("-e", f"{sha}^{{commit}}")
        return True
    except git.GitCommandError:
        return False
    finally:
        repo.close()


def require_commits(root: Path, *shas: str) -> None:
    for sha in shas:
        if not has_commit(root, sha):
            raise MissingCommit(
                f"commit {sha[:12]} is not in this clone; check out with `fetch-depth: 0` "
                "(actions/checkout) so promptops can compare revisions"
            )


def merge_base(root: Path, a: str, b: str) -> str:
    """The best common ancestor of `a` and `b` (what a PR is reviewed against)."""
    require_commits(root, a, b)
    repo = open_repo(root)
    try:
        return repo.git.merge_base(a, b).strip()
    except git.GitCommandError as exc:
        raise PromptopsError(f"commits {a[:12]} and {b[:12]} have no common ancestor") from exc
    finally:
        repo.close()


def changed_paths_between(root: Path, a: str, b: str, folder: str = "") -> list[str]:
    """Paths (relative to the root) that differ between `a` and `b`, under `folder` if given."""
    repo = open_repo(root)
    try:
        args = ["--name-only", "--no-renames", a, b]
        out = repo.git.diff(*args, "--", folder) if folder else repo.git.diff(*args)
    finally:
        repo.close()
    return sorted(line for line in out.splitlines() if line.strip())


def first_parent_commits(root: Path, before: str | None, after: str) -> list[str]:
    """Commits `before..after` along the first-parent chain, oldest first.

    A branch's first push (`before` is all zeros) covers all of `after`'s history; a `before`
    this clone does not have (a force push over a commit gone since) covers `after` alone.
    """
    require_commits(root, after)
    first_push = not before or bool(_NULL_SHA.match(before))
    repo = open_repo(root)
    try:
        if first_push:
            out = repo.git.rev_list("--first-parent", "--reverse", after)
        elif has_commit(root, before or ""):
            out = repo.git.rev_list("--first-parent", "--reverse", f"{before}..{after}")
        else:
            out = after
    finally:
        repo.close()
    return out.split()


def changed_in_commit(root: Path, commit: str, folder: str = "") -> list[str]:
    """Paths a commit changed relative to its first parent (everything, for a root commit)."""
    repo = open_repo(root)
    try:
        args = ["--no-commit-id", "--name-only", "-r", "--no-renames", "--root", "-m", "--first-parent"]
        out = repo.git.diff_tree(*args, commit, *(["--", folder] if folder else []))
    finally:
        repo.close()
    return sorted({line for line in out.splitlines() if line.strip()})


def commit_subject(root: Path, commit: str) -> str:
    repo = open_repo(root)
    try:
        return repo.git.log("-1", "--format=%s", commit)
    finally:
        repo.close()


def commit_parents(root: Path, commit: str) -> list[str]:
    repo = open_repo(root)
    try:
        return repo.git.rev_list("--parents", "-n", "1", commit).split()[1:]
    finally:
        repo.close()


def write_note(root: Path, commit: str, note: Mapping[str, Any], *, push: bool = True) -> bool:
    """Attach `note` (JSON) to `commit` under refs/notes/promptops, merged with the remote's
    notes first; push the notes ref if there is a remote. Returns whether it was pushed."""
    repo = open_repo(root)
    try:
        remote = find_remote(repo) if push else None
        if remote:
            _fetch_remote_notes(repo, remote)
        _add_note(repo, remote, commit, note)
        if remote:
            _push_notes(repo, remote)
        return bool(remote)
    finally:
        repo.close()


def _push_notes(repo: git.Repo, remote: str) -> None:
    """Push refs/notes/promptops; if another run pushed notes meanwhile, merge theirs and retry."""
    for _attempt in range(3):
        status, out, err = _run_raw(repo, ["push", "--porcelain", remote, f"{NOTES_REF}:{NOTES_REF}"])
        if status == 0:
            return
        if NOTES_REF not in _rejected_refs(out):
            raise PromptopsError(f"git push of {NOTES_REF} to {remote} failed: {err.strip() or out.strip()}")
        _fetch_remote_notes(repo, remote)
        _merge_remote_notes(repo)
    raise PromptopsError(f"{remote} kept rejecting {NOTES_REF} (other runs are writing notes); re-run")
