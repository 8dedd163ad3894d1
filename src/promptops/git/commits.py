"""Publishing commits: a variant or a rollback on its branch, from the up-to-date default branch.

The bot's one rule about the user's checkout: it is never touched. Variants and rollbacks are
committed in a temporary worktree created from the *remote's* up-to-date default branch, pushed
with a lease, and kept on a local ref when the remote refuses. Commit metadata lives in
trailers (`Promptops-Prompt`, `-Base`, `-Goal`, `-Run`) and the eval summary in a git note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import git

from promptops.errors import InputError, PromptopsError
from promptops.git.branches import default_branch_name
from promptops.git.notes import NOTES_REF, REMOTE_NOTES, add_note
from promptops.git.push import BranchEditedByHand, PushRejected, push_branch
from promptops.git.repository import commit_of, find_remote, ls_remote, open_repo, run_git
from promptops.git.status import ensure_clean
from promptops.git.worktree import commit_in_temporary_worktree
from promptops.version_ids import short_id, version_id

_BAD_REF_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]+")


@dataclass(frozen=True)
class PublishResult:
    """What a publish did: the branch, the commit on it, and whether the remote has it."""

    branch: str
    commit: str
    base_commit: str
    pushed: bool
    remote: str | None
    local_ref: str  # where the commit is kept locally, e.g. refs/heads/promptops/a/system/conciseness


def publish_variant(
    repo_root: Path | str,
    *,
    agent: str,
    prompt: str,
    goal: str,
    files: Mapping[str, bytes | str],
    prompt_path: str,
    base_version: str,
    run_id: str,
    summary: str,
    note: Mapping[str, Any] | None = None,
    branch_prefix: str = "promptops",
    configured_default_branch: str | None = None,
    push: bool = True,
    check_clean: bool = True,
) -> PublishResult:
    """Commit a variant on `promptops/<agent>/<prompt>/<goal>` from the up-to-date default branch.

    `summary` completes the subject, e.g. "conciseness, -23% tokens, pass rate unchanged".
    `base_version` is the version id the variant was derived from; if the default branch now holds
    different content at `prompt_path`, publishing refuses (the variant would undo someone's change).
    With `check_clean`, uncommitted edits to those files in the user's checkout are refused first
    (the variant was measured against committed content, not the edit).
    """
    if check_clean:
        ensure_clean(repo_root, list(files))
    prompt_id = f"{agent}/{prompt}"
    return commit_files_on_branch(
        repo_root,
        branch=variant_branch(agent, prompt, goal, branch_prefix),
        files=files,
        message=commit_message(
            f"promptops({prompt_id}): {summary}",
            {
                "Promptops-Prompt": prompt_id,
                "Promptops-Base": base_version,
                "Promptops-Goal": goal,
                "Promptops-Run": run_id,
            },
        ),
        expected_versions={prompt_path: base_version},
        note=note,
        configured_default_branch=configured_default_branch,
        push=push,
        run_id=run_id,
    )


def commit_files_on_branch(
    repo_root: Path | str,
    *,
    branch: str,
    files: Mapping[str, bytes | str | None],
    message: str,
    expected_versions: Mapping[str, str] | None = None,
    note: Mapping[str, Any] | None = None,
    configured_default_branch: str | None = None,
    push: bool = True,
    run_id: str = "",
) -> PublishResult:
    """Write `files` (None deletes) in one commit on top of the default branch and set `branch` to it.

    Shared by publishing a variant and by rollback (`branch` may be the default branch itself
    for `rollback --direct`; the push is then a plain fast-forward guarded by the same lease).
    The user's checkout is never touched; on a rejected push the commit stays on a local ref
    named in the error and the remote is unchanged.
    """
    repo = open_repo(repo_root)
    paths = [_check_rel_path(p) for p in files]
    checked_out = _checked_out_in(repo, branch)
    if checked_out and not push:
        raise PromptopsError(
            f"branch {branch} is checked out in {checked_out}; switch to another branch first"
        )
    remote = find_remote(repo) if push else None
    if push and remote is None:
        raise PromptopsError(
            "no git remote to push to; add one (`git remote add origin URL`) or use --branch-only"
        )
    base_name = default_branch_name(repo, configured_default_branch, remote or find_remote(repo))
    base, lease, had_local = _prepare_base(repo, remote, base_name, branch)
    _check_expected_versions(repo, base, expected_versions or {})
    new_commit = commit_in_temporary_worktree(repo, base, files, paths, message)
    if note is not None:
        add_note(repo, remote, new_commit, note)
    if not push or remote is None:
        repo.git.update_ref(f"refs/heads/{branch}", new_commit)
        return PublishResult(branch, new_commit, base, False, None, f"refs/heads/{branch}")
    # The default branch (`rollback --direct`) is the user's: a rejected commit goes to a side
    # branch, and a pushed one moves the local branch only when that is a fast-forward of nothing.
    leave_local = bool(checked_out) or (branch == base_name and had_local != base)
    try:
        push_branch(repo, remote, branch, new_commit, lease, with_notes=note is not None)
    except PushRejected as exc:
        side_only = bool(checked_out) or branch == base_name
        kept = keep_locally(repo, branch, new_commit, "" if side_only else had_local, run_id, side_only)
        raise PushRejected(f"{exc}; your commit {short_id(new_commit)} is kept on {kept}") from None
    if leave_local:  # e.g. `rollback --direct` to main while main is checked out: leave it for `git pull`
        return PublishResult(branch, new_commit, base, True, remote, f"refs/remotes/{remote}/{branch}")
    repo.git.update_ref(f"refs/heads/{branch}", new_commit)
    return PublishResult(branch, new_commit, base, True, remote, f"refs/heads/{branch}")


def _check_rel_path(rel: str) -> str:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or rel.startswith(".git/"):
        raise InputError(f"{rel!r}: expected a path inside the repository")
    return path.as_posix()


def _checked_out_in(repo: git.Repo, branch: str) -> str | None:
    """The worktree that has `branch` checked out, if any: we must not move it under its files."""
    listing = repo.git.worktree("list", "--porcelain")
    for block in listing.split("\n\n"):
        lines = dict(line.split(" ", 1) for line in block.splitlines() if " " in line)
        if lines.get("branch") == f"refs/heads/{branch}":
            return lines.get("worktree")
    return None


def _prepare_base(repo: git.Repo, remote: str | None, base_name: str, branch: str) -> tuple[str, str, str]:
    """(base commit, lease value for the branch on the remote, local branch value before us)."""
    had_local = commit_of(repo, f"refs/heads/{branch}")
    if remote is None:
        base = commit_of(repo, f"refs/heads/{base_name}")
        if not base:
            raise PromptopsError(f"default branch {base_name} does not exist locally")
        return base, "", had_local
    heads = ls_remote(repo, remote, f"refs/heads/{base_name}", f"refs/heads/{branch}", NOTES_REF)
    if f"refs/heads/{base_name}" not in heads:
        raise PromptopsError(f"the default branch {base_name} does not exist on {remote}")
    refspecs = [f"+refs/heads/{base_name}:refs/remotes/{remote}/{base_name}"]
    theirs = heads.get(f"refs/heads/{branch}", "") if branch != base_name else ""
    if theirs:
        refspecs.append(f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    if NOTES_REF in heads:  # in the same round trip, so our note can be merged with everyone else's
        refspecs.append(f"+{NOTES_REF}:{REMOTE_NOTES}")
    run_git(repo, "fetch", "fetching from " + remote, "--quiet", "--no-tags", remote, *refspecs)
    base = commit_of(
        repo, f"refs/remotes/{remote}/{base_name}"
    )  # what we fetched, even if it moved since ls-remote
    if branch == base_name:
        return base, base, had_local
    if theirs and not is_bot_commit(repo, theirs):
        raise BranchEditedByHand(branch, theirs, _author(repo, theirs), last_bot_commit(repo, theirs))
    # The lease is the commit the bot itself last pushed (a commit carrying its trailers):
    # a branch someone else pushed to is never overwritten.
    return base, theirs, had_local


BOT_TRAILER = "Promptops-Run"


def is_bot_commit(repo: git.Repo, commit: str) -> bool:
    """Whether `commit` is one promptops made (its message carries the `Promptops-Run` trailer)."""
    trailers = repo.git.log("-1", "--format=%(trailers:only,unfold)", commit)
    return any(line.split(":", 1)[0].strip() == BOT_TRAILER for line in trailers.splitlines())


def last_bot_commit(repo: git.Repo, tip: str, limit: int = 200) -> str | None:
    """The newest commit promptops made in `tip`'s first-parent history (what `recreate` restores)."""
    for commit in repo.git.rev_list("--first-parent", f"--max-count={limit}", tip).split():
        if is_bot_commit(repo, commit):
            return commit
    return None


def _author(repo: git.Repo, commit: str) -> str:
    return repo.git.log("-1", "--format=%an <%ae>", commit)


def _check_expected_versions(repo: git.Repo, base: str, expected: Mapping[str, str]) -> None:
    for rel, vid in expected.items():
        try:
            data: bytes | None = (repo.commit(base).tree / rel).data_stream.read()
        except KeyError:
            data = None
        actual = version_id(data) if data is not None else None
        if actual != vid:
            now = short_id(actual) if actual else "no file"
            raise PromptopsError(
                f"{rel} changed on the default branch since version {short_id(vid)} (now {now}); "
                "pull and re-run so the variant starts from the current prompt"
            )


def keep_locally(
    repo: git.Repo, branch: str, commit: str, had_local: str, run_id: str, side_only: bool = False
) -> str:
    """Keep the commit on the local branch, unless it is checked out or something else moved it
    meanwhile (another run in this clone): then on a side branch named after the run."""
    try:
        if side_only:
            raise git.GitCommandError("update-ref", 1)
        repo.git.update_ref(f"refs/heads/{branch}", commit, had_local or "0" * 40)
        return branch
    except git.GitCommandError:
        side = f"{branch}-{ref_component(run_id) or short_id(commit)}"
        repo.git.update_ref(f"refs/heads/{side}", commit)
        return side


# Branch "goals" that are not optimize goals: the PRs the bot opens for rollouts and rollbacks.
ROLLOUT_GOAL = "rollout"
ROLLBACK_GOAL = "rollback"


def variant_branch(agent: str, prompt: str, goal: str, prefix: str = "promptops") -> str:
    """`promptops/<agent>/<prompt>/<goal>`, with characters git forbids in ref names replaced."""
    parts = [prefix.strip("/"), agent, prompt, goal]
    return "/".join(ref_component(p) for part in parts for p in part.split("/") if p)


def ref_component(text: str) -> str:
    clean = _BAD_REF_CHARS.sub("-", text).replace("..", "-").replace("@{", "-")
    clean = clean.strip(".-") or "x"
    return clean[: -len(".lock")] + "-lock" if clean.endswith(".lock") else clean


def commit_message(subject: str, trailers: Mapping[str, str], body: str = "") -> str:
    """A commit message with git trailers at the end (one `Key: value` per line)."""
    lines = [subject.strip().splitlines()[0] if subject.strip() else "promptops"]
    if body.strip():
        lines += ["", body.strip()]
    lines += ["", *(f"{k}: {' '.join(str(v).split())}" for k, v in trailers.items())]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Recreated:
    """`/promptops recreate`: the branch is back at the bot's last commit; `dropped` were the others'."""

    branch: str
    commit: str
    dropped: list[str]


def recreate_branch(repo_root: Path | str, branch: str) -> Recreated:
    """Hand `branch` back to promptops: reset it on the remote to the newest commit promptops made,
    dropping the commits pushed on top (their author asked for it). Leased on the tip we saw."""
    repo = open_repo(repo_root)
    try:
        remote = find_remote(repo)
        if remote is None:
            raise PromptopsError("no git remote to push to")
        tip = ls_remote(repo, remote, f"refs/heads/{branch}").get(f"refs/heads/{branch}")
        if not tip:
            raise InputError(f"branch {branch} does not exist on {remote}")
        run_git(repo, "fetch", f"fetching {branch}", "--quiet", "--no-tags", remote, f"refs/heads/{branch}")
        mine = last_bot_commit(repo, tip)
        if mine is None:
            raise InputError(f"{branch} has no commit promptops made; there is nothing to hand back")
        dropped = repo.git.rev_list(f"{mine}..{tip}").split()
        if dropped:
            push_branch(repo, remote, branch, mine, tip, with_notes=False)
        return Recreated(branch, mine, dropped)
    finally:
        repo.close()
