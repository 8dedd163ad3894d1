"""The default branch: the one function that decides its name, and a revision for it.

The deployed history of a prompt is the first-parent history of this branch, so every
command that reads history, publishes or rolls back asks here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git

from promptops.config import Config
from promptops.errors import NotFoundError, PromptopsError
from promptops.git.repository import find_remote, open_repo, ref_exists


def default_branch_name(repo: git.Repo, configured: str | None = None, remote: str | None = None) -> str:
    """Config `default_branch`, else what `<remote>/HEAD` points at, else `main` or `master`."""
    if configured:
        return configured
    if remote:
        try:
            target = repo.git.symbolic_ref(f"refs/remotes/{remote}/HEAD")
            return target.removeprefix(f"refs/remotes/{remote}/")
        except git.GitCommandError:
            pass
    for name in ("main", "master"):
        if ref_exists(repo, f"refs/heads/{name}") or (
            remote and ref_exists(repo, f"refs/remotes/{remote}/{name}")
        ):
            return name
    raise PromptopsError(
        "cannot tell the default branch (no origin/HEAD, no main or master); "
        "set `default_branch` in .promptops.yaml"
    )


@dataclass(frozen=True)
class DefaultBranch:
    """The default branch's name and a revision naming it (local branch, else origin's)."""

    name: str
    rev: str | None
    commit: str | None


def resolve_default_branch(root: Path, config: Config) -> DefaultBranch:
    """The default branch (named as `default_branch_name` decides) and a
    revision for it: the local branch, else the remote's. One `for-each-ref` call.
    """
    repo = open_repo(root)
    try:
        remote = find_remote(repo) or "origin"
        name = default_branch_name(repo, config.get("default_branch"), remote)
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


def default_branch_ref(root: Path, config: Config) -> str:
    """A revision for the default branch, or NotFoundError when it has no commit yet."""
    branch = resolve_default_branch(root, config)
    if branch.rev is None:
        raise NotFoundError(f"{root}: error: default branch {branch.name!r} does not exist (no commits yet?)")
    return branch.rev
