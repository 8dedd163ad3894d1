"""Opening a repository, its remote, and running git in it.

The modules of `promptops.git` that write run git through `run`/`run_raw` here (the read
paths of `history` and `list` through `process`, which spares them GitPython's import), so
a failure always becomes one readable line naming what promptops was doing, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import git

from promptops.git.process import git_failure, not_a_repository, pick_remote
from promptops.git.process import last_lines as last_lines

FALLBACK_IDENTITY = {"user.name": "promptops", "user.email": "promptops@users.noreply.github.com"}


def open_repo(repo_root: Path | str) -> git.Repo:
    """The repository at `repo_root` (a working tree, not a bare repository)."""
    try:
        return git.Repo(repo_root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise not_a_repository(repo_root) from exc


def find_remote(repo: git.Repo) -> str | None:
    """`origin` if present, else the only remote, else None (a repository with no remote)."""
    return pick_remote([r.name for r in repo.remotes])


def remote_url(repo_root: Path | str, remote: str | None = None) -> str | None:
    """The fetch URL of `remote` (default: the detected one), for telling which GitHub repo this is."""
    repo = open_repo(repo_root)
    name = remote or find_remote(repo)
    return repo.remote(name).url if name else None


def commit_of(repo: git.Repo, ref: str) -> str:
    try:
        return repo.git.rev_parse("--verify", "--quiet", ref + "^{commit}")
    except git.GitCommandError:
        return ""


def identity_args(repo: git.Repo) -> list[str]:
    """`-c user.name=... -c user.email=...` (the bot identity) when git has none configured, as
    on a fresh CI runner; commits, notes and notes merges all need one."""
    status, _, _ = repo.git.execute(
        ["git", "var", "GIT_COMMITTER_IDENT"], with_extended_output=True, with_exceptions=False
    )
    return [] if status == 0 else [arg for k, v in FALLBACK_IDENTITY.items() for arg in ("-c", f"{k}={v}")]


def ls_remote(repo: git.Repo, remote: str, *refs: str) -> dict[str, str]:
    out = run_git(repo, "ls_remote", f"reading {remote}", remote, *refs)
    pairs = (line.split("\t") for line in out.splitlines() if "\t" in line)
    return {ref: sha for sha, ref in pairs}


def run_git(repo: git.Repo, command: str, doing: str, *args: str) -> str:
    return run(repo, [command.replace("_", "-"), *args], doing)


def run(repo: git.Repo, args: list[str], doing: str) -> str:
    """Run git in `repo`; a failure becomes one readable line naming what we were doing."""
    status, out, err = run_raw(repo, args)
    if status != 0:
        raise git_failure(doing, status, err or out)
    return out


def run_raw(repo: git.Repo, args: list[str]) -> tuple[int, str, str]:
    status, out, err = repo.git.execute(["git", *args], with_extended_output=True, with_exceptions=False)
    return int(status or 0), str(out), str(err)
