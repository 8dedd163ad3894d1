"""The default branch: the one function that decides its name, and a revision for it.

The deployed history of a prompt is the first-parent history of this branch, so every
command that reads history, publishes or rolls back asks here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from promptops.config import Config
from promptops.errors import NotFoundError, PromptopsError
from promptops.git.process import git_dir, git_text, pick_remote, remote_names, run_git_raw

if TYPE_CHECKING:
    import git

REF_FORMAT = "--format=%(refname)%00%(objectname)%00%(symref)"


def default_branch_name(repo: git.Repo, configured: str | None = None, remote: str | None = None) -> str:
    """Config `default_branch`, else what `<remote>/HEAD` points at, else `main` or `master`."""
    return _find_default_branch(Path(str(repo.working_tree_dir)), configured, remote)[0]


def _find_default_branch(
    root: Path, configured: str | None, remote: str | None, also: Sequence[str] = ()
) -> tuple[str, dict[str, str]]:
    """The default branch's name and {refname: commit} of the refs that could name it (and
    of the refs `also` asks for, read in the same process).

    One `git for-each-ref` answers in the usual case (the name is configured, is what
    `<remote>/HEAD` points at among main/master, or is main/master); a second one only when
    `<remote>/HEAD` points at another branch.
    """
    candidates = [configured] if configured else ["main", "master"]
    refs = _refs(root, [*also, *([f"refs/remotes/{remote}/HEAD"] if remote else [])], candidates, remote)
    if configured:
        return configured, refs
    head = refs.get(f"symref:refs/remotes/{remote}/HEAD", "") if remote else ""
    if head.startswith(f"refs/remotes/{remote}/"):
        name = head.removeprefix(f"refs/remotes/{remote}/")
        return name, refs if name in candidates else _refs(root, [*also], [name], remote)
    for name in candidates:
        if f"refs/heads/{name}" in refs or (remote and f"refs/remotes/{remote}/{name}" in refs):
            return name, refs
    unborn = _unborn_branch(root)
    if unborn:  # right after `git init`: HEAD names a branch that has no commit yet
        return unborn, {}
    raise PromptopsError(
        "cannot tell the default branch (no origin/HEAD, no main or master); "
        "set `default_branch` in .promptops.yaml"
    )


def _refs(root: Path, extra: list[str], names: list[str], remote: str | None) -> dict[str, str]:
    """{refname: commit} of refs/heads/NAME and refs/remotes/REMOTE/NAME (and `extra`) that
    exist; a symbolic ref also as {"symref:" + refname: its target}."""
    patterns = [*extra, *(f"refs/heads/{n}" for n in names)]
    patterns += [f"refs/remotes/{remote}/{n}" for n in names] if remote else []
    out = git_text(root, ["for-each-ref", REF_FORMAT, *patterns], "reading the branches")
    refs: dict[str, str] = {}
    for line in out.splitlines():
        refname, commit, symref = line.split("\0")
        refs[refname] = commit
        if symref:
            refs[f"symref:{refname}"] = symref
    return refs


def _unborn_branch(root: Path) -> str | None:
    """The branch HEAD names when it has no commit yet (a new repository), else None."""
    status, out, _ = run_git_raw(root, ["symbolic-ref", "-q", "HEAD"])
    if status != 0:
        return None
    target = out.decode().strip()
    exists = run_git_raw(root, ["rev-parse", "--verify", "--quiet", target])[0] == 0
    return target.removeprefix("refs/heads/") if not exists else None


def no_commits_yet(root: Path, name: str) -> NotFoundError:
    """The error for a default branch with no commit: what it means and what to do."""
    return NotFoundError(
        f"{root}: error: no commits yet on {name}; commit the prompts first "
        "(`git add -A && git commit -m 'Add prompts'`), then run this again"
    )


@dataclass(frozen=True)
class DefaultBranch:
    """The default branch's name and a revision naming it (local branch, else origin's)."""

    name: str
    rev: str | None
    commit: str | None
    also: dict[str, str] = field(default_factory=dict, compare=False)  # refs asked for with it


def resolve_default_branch(root: Path, config: Config, also: Sequence[str] = ()) -> DefaultBranch:
    """The default branch (named as `default_branch_name` decides) and a revision for it:
    the local branch, else the remote's. Two small git processes (`remote`, `for-each-ref`).

    `also`: full names of other refs to read in the same `for-each-ref` (`history` wants
    the notes ref's commit); `.also` has the commit of each that exists.
    """
    git_dir(root)  # not a repository: that error, as it is
    try:
        remote = pick_remote(remote_names(root)) or "origin"
        name, commits = _find_default_branch(root, config.get("default_branch"), remote, also)
    except PromptopsError as exc:
        raise NotFoundError(f"{root}: error: {exc}") from exc
    rev = next((r for r in (f"refs/heads/{name}", f"refs/remotes/{remote}/{name}") if r in commits), None)
    found = {ref: commits[ref] for ref in also if ref in commits}
    return DefaultBranch(name, rev, commits.get(rev) if rev else None, found)


def default_branch_ref(root: Path, config: Config) -> str:
    """A revision for the default branch, or NotFoundError when it has no commit yet."""
    branch = resolve_default_branch(root, config)
    if branch.rev is None:
        raise no_commits_yet(root, branch.name)
    return branch.rev
