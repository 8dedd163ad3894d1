"""A repository with a local bare `origin`, and the few things a person does in it by hand.

`promptops demo` plays both sides of the loop without GitHub: it creates the repository,
commits, and merges the bot's branch the way GitHub's merge button would (`--no-ff`,
"Merge pull request #N from ..."). These are the only places promptops commits on a
user's behalf, so they live here, apart from the bot's own publishing in `commits.py`.
"""

from __future__ import annotations

from pathlib import Path

import git

from promptops.git.repository import identity_args


def create_with_origin(work: Path, origin: Path, branch: str = "main") -> None:
    """An empty repository at `work` whose `origin` is a new bare repository at `origin`."""
    git.Repo.init(origin, bare=True, initial_branch=branch).close()
    repo = git.Repo.init(work, initial_branch=branch)
    repo.create_remote("origin", str(origin))
    repo.close()


def commit_all(work: Path, message: str, *, push: bool = True) -> str:
    """Commit everything in the working tree (and push the current branch); returns the commit id."""
    repo = git.Repo(work)
    try:
        repo.git.add("-A")
        repo.git.execute(["git", *identity_args(repo), "commit", "--quiet", "-m", message])
        if push:
            repo.git.push("--quiet", "--set-upstream", "origin", repo.active_branch.name)
        return repo.head.commit.hexsha
    finally:
        repo.close()


def merge_pull_request(work: Path, branch: str, number: int, *, push: bool = True) -> str:
    """Merge `branch` into the checked-out branch as GitHub's merge button does; returns the merge."""
    repo = git.Repo(work)
    try:
        message = f"Merge pull request #{number} from {branch}"
        repo.git.execute(["git", *identity_args(repo), "merge", "--quiet", "--no-ff", "-m", message, branch])
        if push:
            repo.git.push("--quiet", "origin", repo.active_branch.name)
        return repo.head.commit.hexsha
    finally:
        repo.close()


def head_commit(work: Path) -> str:
    repo = git.Repo(work)
    try:
        return repo.head.commit.hexsha
    finally:
        repo.close()
