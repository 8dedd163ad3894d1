"""Commits named by refs or event payloads: resolving, ancestry, merge bases, what changed.

A workflow run gets bare commit ids from the event payload (`base.sha`, `head.sha`,
`before`, `after`); these functions answer what changed between them. A commit the clone
does not have is a clear error naming the fix (`fetch-depth: 0`), not a git traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import git

from promptops.errors import NotFoundError, PromptopsError
from promptops.git.repository import commit_of, find_remote, open_repo, run_raw

_NULL_SHA = re.compile(r"^0+$")


class MissingCommit(PromptopsError):
    """The event names a commit this clone does not have."""


def resolve_commit(repo_root: Path | str, ref: str) -> str:
    """The full commit id `ref` names; NotFoundError when it names none."""
    repo = open_repo(repo_root)
    try:
        return repo.commit(ref).hexsha
    except (git.BadName, ValueError, git.GitCommandError) as exc:
        raise NotFoundError(f"git ref {ref!r} does not exist") from exc


def is_ancestor(repo_root: Path | str, ancestor: str, commit: str) -> bool:
    """Whether `ancestor` is `commit` or one of its ancestors."""
    status, _, _ = run_raw(open_repo(repo_root), ["merge-base", "--is-ancestor", ancestor, commit])
    return status == 0


def commit_trailers(repo_root: Path | str, commit: str) -> dict[str, str]:
    """The trailers of `commit` as a dict (last value wins for a repeated key)."""
    repo = open_repo(repo_root)
    out = repo.git.log("-1", "--format=%(trailers:only,unfold)", commit)
    pairs = (line.split(":", 1) for line in out.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def has_commit(root: Path, sha: str) -> bool:
    repo = open_repo(root)
    try:
        repo.git.cat_file("-e", f"{sha}^{{commit}}")
        return True
    except git.GitCommandError:
        return False
    finally:
        repo.close()


def remote_branch_tip(root: Path, branch: str) -> str | None:
    """The commit the clone's remote-tracking `branch` points at (as fetched at checkout); None
    when the clone has no such ref (the caller falls back to what the API says). It says where
    a branch is now, which a pull request's `base.sha` from the API may no longer say."""
    repo = open_repo(root)
    try:
        remote = find_remote(repo)
        return (commit_of(repo, f"refs/remotes/{remote}/{branch}") or None) if remote else None
    except PromptopsError:  # several remotes, none `origin`: no telling which is GitHub's
        return None
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


def fetch_pull_head(root: Path, number: int) -> bool:
    """Fetch `refs/pull/N/head` from the remote as data (objects only, nothing checked out or run).

    A fork's commits are not in a clone of the base repository; GitHub serves them under the
    base repository's pull ref. Returns whether the fetch succeeded.
    """
    repo = open_repo(root)
    try:
        remote = find_remote(repo)
        if remote is None:
            return False
        code, _, _ = run_raw(repo, ["fetch", "--quiet", "--no-tags", remote, f"refs/pull/{number}/head"])
        return code == 0
    finally:
        repo.close()
