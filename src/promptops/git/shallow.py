"""Shallow clones: history that stops early, which would make every `vN` silently wrong.

`actions/checkout` clones one commit deep unless told `fetch-depth: 0`. Counting the
commits that changed a file in such a clone gives `v1` for everything, so whatever
counts history asks here first: a shallow clone with a reachable remote is deepened
(`git fetch --unshallow`, and the caller reports that it happened); otherwise the
command stops with one line naming the fix.
"""

from __future__ import annotations

from pathlib import Path

from promptops.errors import PromptopsError
from promptops.git.process import git_dir, pick_remote, remote_names, run_git_raw

FIX = (
    "fetch the full history (`git fetch --unshallow`), or check out with `fetch-depth: 0` (actions/checkout)"
)


class ShallowCloneError(PromptopsError):
    """The clone's history is cut short and could not be completed."""


def is_shallow(root: Path) -> bool:
    """What `git rev-parse --is-shallow-repository` answers, without starting git.

    Git records a shallow clone's cut-off commits in `<common git dir>/shallow` and
    answers from that file alone; reading it spares every `list` and `history` a process.
    """
    return (git_dir(root) / "shallow").is_file()


def require_full_history(root: Path, needed_for: str) -> str | None:
    """Make sure the clone is complete; a note when it had to be deepened, None when it was.

    `needed_for` says what the history is for ("version numbers") in the error.
    """
    if not is_shallow(root):
        return None
    remote = pick_remote(remote_names(root))
    if remote is None:
        raise ShallowCloneError(
            f"{root}: error: this is a shallow clone with no remote to deepen it from, so "
            f"{needed_for} would be wrong; {FIX}"
        )
    status, out, err = run_git_raw(root, ["fetch", "--quiet", "--unshallow", remote])
    if status != 0 or is_shallow(root):
        reason = (err or out).decode("utf-8", errors="replace").strip().splitlines()[-1:] or [
            "history still incomplete"
        ]
        raise ShallowCloneError(
            f"{root}: error: this is a shallow clone and `git fetch --unshallow {remote}` failed "
            f"({reason[0]}), so {needed_for} would be wrong; {FIX}"
        )
    return f"this clone was shallow; fetched its full history from {remote} (git fetch --unshallow)"


def refuse_shallow(root: Path, needed_for: str) -> None:
    """Raise when the clone is shallow: the guard of everything that counts history."""
    if is_shallow(root):
        raise ShallowCloneError(
            f"{root}: error: this is a shallow clone, so {needed_for} would be wrong; {FIX}"
        )


def missing_history_hint(root: Path) -> str:
    """What to add to a 'commit not found' error: the clone may just be shallow."""
    if not is_shallow(root):
        return ""
    return (
        " (this is a shallow clone, so older commits are not here: `git fetch --deepen=N` or "
        "`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout)"
    )
