"""Commits made in a temporary worktree, so the user's checkout is never touched.

The worktree is created detached at the base commit, the files are written and committed
without the user's hooks (they run on the pull request), and the worktree is always removed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import git

from promptops.errors import PromptopsError
from promptops.git.repository import identity_args, run, run_git, run_raw


def commit_in_temporary_worktree(
    repo: git.Repo, base: str, files: Mapping[str, bytes | str | None], paths: list[str], message: str
) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="promptops-wt-"))
    worktree = tmp / "wt"
    try:
        run_git(
            repo,
            "worktree",
            "creating a temporary worktree",
            "add",
            "--quiet",
            "--detach",
            str(worktree),
            base,
        )
        wt = git.Repo(worktree)
        for rel, path in zip(files, paths, strict=True):
            _write_or_delete(worktree / path, files[rel])
        run(wt, ["add", "--all", "--", *paths], "staging the files")
        if not run(wt, ["status", "--porcelain", "--", *paths], "checking the files"):
            raise PromptopsError(
                "nothing to commit: the files already have this content on the default branch"
            )
        _commit(wt, message)
        return wt.head.commit.hexsha
    finally:
        if run_raw(repo, ["worktree", "remove", "--force", str(worktree)])[0] != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            run_raw(repo, ["worktree", "prune"])
        shutil.rmtree(tmp, ignore_errors=True)


def _write_or_delete(path: Path, content: bytes | str | None) -> None:
    if content is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def _commit(wt: git.Repo, message: str) -> None:
    """Commit without the user's hooks (they run on the PR); fall back to a bot identity if none is set."""
    identity = identity_args(wt)
    msg_file = Path(wt.git_dir) / "PROMPTOPS_MSG"
    msg_file.write_text(message, encoding="utf-8")
    run(wt, [*identity, "commit", "--quiet", "--no-verify", "-F", str(msg_file)], "committing")
