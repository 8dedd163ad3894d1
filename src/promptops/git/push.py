"""Pushes: a branch with its lease and the notes ref, atomically, and what a rejection means.

force-with-lease, not force: a re-run may replace its own earlier commit, but if anyone
moved the branch since, the remote refuses and nobody's commit is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git

from promptops.errors import PromptopsError
from promptops.git.notes import NOTES_REF, add_note, fetch_remote_notes, merge_remote_notes
from promptops.git.repository import find_remote, last_lines, open_repo, run_raw

_NOTES_PUSH_ATTEMPTS = 3


class PushRejected(PromptopsError):
    """The remote refused our push (protected branch, hook, or another run got there first)."""


def push_branch(
    repo: git.Repo, remote: str, branch: str, commit: str, lease: str, *, with_notes: bool
) -> None:
    """Atomic push of the branch (leased on what the remote had) and the notes ref.

    force-with-lease, not force: a re-run may replace its own earlier commit, but if another run
    moved the branch since we looked, the remote refuses and nobody's commit is lost.
    """
    target = f"refs/heads/{branch}"
    for _attempt in range(_NOTES_PUSH_ATTEMPTS):
        args = [
            "push",
            "--porcelain",
            "--atomic",
            f"--force-with-lease={target}:{lease}",
            remote,
            f"{commit}:{target}",
        ]
        if with_notes:
            args.append(f"{NOTES_REF}:{NOTES_REF}")
        status, out, err = run_raw(repo, args)
        if status == 0:
            return
        rejected = rejected_refs(out)
        if with_notes and set(rejected) == {NOTES_REF}:  # only the notes moved: merge theirs, retry
            fetch_remote_notes(repo, remote)
            merge_remote_notes(repo)
            continue
        raise PushRejected(_rejection_message(remote, branch, rejected.get(target), err))
    raise PushRejected(f"{remote} kept rejecting {NOTES_REF} (other runs are writing notes); re-run")


def write_note(root: Path, commit: str, note: Mapping[str, Any], *, push: bool = True) -> bool:
    """Attach `note` (JSON) to `commit` under refs/notes/promptops, merged with the remote's
    notes first; push the notes ref if there is a remote. Returns whether it was pushed."""
    repo = open_repo(root)
    try:
        remote = find_remote(repo) if push else None
        if remote:
            fetch_remote_notes(repo, remote)
        add_note(repo, remote, commit, note)
        if remote:
            push_notes(repo, remote)
        return bool(remote)
    finally:
        repo.close()


def push_notes(repo: git.Repo, remote: str) -> None:
    """Push refs/notes/promptops; if another run pushed notes meanwhile, merge theirs and retry."""
    for _attempt in range(3):
        status, out, err = run_raw(repo, ["push", "--porcelain", remote, f"{NOTES_REF}:{NOTES_REF}"])
        if status == 0:
            return
        if NOTES_REF not in rejected_refs(out):
            raise PromptopsError(f"git push of {NOTES_REF} to {remote} failed: {err.strip() or out.strip()}")
        fetch_remote_notes(repo, remote)
        merge_remote_notes(repo)
    raise PromptopsError(f"{remote} kept rejecting {NOTES_REF} (other runs are writing notes); re-run")


def rejected_refs(porcelain: str) -> dict[str, str]:
    """ref -> reason from `git push --porcelain` lines like `!\tsrc:dst\t[rejected] (stale info)`."""
    out: dict[str, str] = {}
    for line in porcelain.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] == "!" and "atomic push failed" not in parts[2]:
            out[parts[1].split(":")[-1]] = parts[2]
    return out


_RACE_REASONS = (
    "stale info",
    "atomic transaction failed",
    "failed to update ref",
    "cannot lock ref",
    "fetch first",
)


def _rejection_message(remote: str, branch: str, reason: str | None, stderr: str) -> str:
    """Tell a lost race (another run moved the branch) apart from a refusal (protection, hooks)."""
    if reason and any(r in reason for r in _RACE_REASONS):
        return (
            f"{remote} refused {branch}: another run updated it since we fetched ({reason}); "
            "re-run to publish on top"
        )
    said = [
        ln.strip()[len("remote:") :].strip() for ln in stderr.splitlines() if ln.strip().startswith("remote:")
    ]
    detail = "; ".join(x for x in [reason or "", *said] if x) or last_lines(stderr)
    return f"{remote} refused the push of {branch}: {detail}"
