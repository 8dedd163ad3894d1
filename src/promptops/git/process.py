"""git as a plain subprocess: the read paths that must start fast.

`promptops history` and `promptops list` run on every look at a prompt, and importing
GitPython alone costs them more than the `git log` they need (~0.1 s of regular
expressions and classes). The reads they make (refs, a log, blobs, the git directory)
are one `git` process each, run here with `subprocess`; GitPython stays for the write
paths (commits, notes, pushes), imported only by the modules that do them.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from promptops.errors import InputError, PromptopsError

GIT_MISSING = "git is not installed or not on PATH (promptops needs the git command)"


def git_dir(root: Path | str) -> Path:
    """The common git directory of the working tree at `root`, found without starting git.

    `.git` is a folder in a clone, or a `gitdir: PATH` file in a linked worktree or a
    submodule, whose `commondir` file (if any) names the shared directory. Notes, the
    shallow marker and promptops's caches live in the common one.
    """
    dot_git = Path(root) / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        text = dot_git.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError) as exc:
        raise not_a_repository(root) from exc
    if not text.startswith("gitdir:"):
        raise not_a_repository(root)
    own = (dot_git.parent / text.removeprefix("gitdir:").strip()).resolve()
    common = own / "commondir"
    return (own / common.read_text(encoding="utf-8").strip()).resolve() if common.is_file() else own


def not_a_repository(root: Path | str) -> InputError:
    return InputError(f"{root}: error: not a git repository (run `git init` or clone one)")


def run_git_raw(
    root: Path | str, args: Sequence[str], stdin: bytes | None = None
) -> tuple[int, bytes, bytes]:
    """(exit status, stdout, stderr) of `git ARGS` in `root`; git missing is one readable line."""
    try:
        done = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise PromptopsError(GIT_MISSING) from exc
    return done.returncode, done.stdout, done.stderr


class RunningGit:
    """A `git` process started now and read later: the caller works while git does.

    Its output is drained by a thread as it comes (a pipe left unread stops git once the
    pipe's buffer is full), and `output()` waits for the end. The thread spends its time
    in `read`, which releases the GIL, so the caller's Python runs at full speed meanwhile.
    """

    def __init__(self, root: Path | str, args: Sequence[str], doing: str) -> None:
        self.doing = doing
        try:
            self._proc = subprocess.Popen(
                ["git", *args],
                cwd=root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError as exc:
            raise PromptopsError(GIT_MISSING) from exc
        self._out, self._err = b"", b""
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        self._out, self._err = self._proc.communicate()

    def output(self) -> bytes:
        """git's stdout once it has exited; a failure becomes one line naming what it was doing."""
        self._reader.join()
        return checked(self._proc.returncode, self._out, self._err, self.doing)


def git_text(root: Path | str, args: Sequence[str], doing: str) -> str:
    """stdout of `git ARGS` as text; a failure becomes one line naming what we were doing."""
    return git_bytes(root, args, doing).decode("utf-8", errors="replace")


def git_bytes(root: Path | str, args: Sequence[str], doing: str, stdin: bytes | None = None) -> bytes:
    """stdout of `git ARGS` (fed `stdin`); a failure becomes one line naming what we were doing."""
    return checked(*run_git_raw(root, args, stdin), doing)


def checked(status: int, out: bytes, err: bytes, doing: str) -> bytes:
    """`out` when git succeeded, else one line naming what we were doing and what git said."""
    if status != 0:
        raise git_failure(
            doing, status, err.decode("utf-8", errors="replace") or out.decode("utf-8", errors="replace")
        )
    return out


def git_failure(doing: str, status: int, said: str) -> PromptopsError:
    """The one line for a git command that failed: what we were doing and what git said last."""
    return PromptopsError(f"git failed while {doing}: {last_lines(said) or f'exit status {status}'}")


def last_lines(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("hint:")]
    return "; ".join(lines[-3:])


def remote_names(root: Path | str) -> list[str]:
    """The names of the repository's remotes (`git remote`)."""
    return git_text(root, ["remote"], "listing the remotes").split()


def pick_remote(names: Sequence[str]) -> str | None:
    """`origin` if present, else the only remote, else None (a repository with no remote)."""
    if "origin" in names:
        return "origin"
    if len(names) == 1:
        return names[0]
    if names:
        listed = ", ".join(names)
        raise PromptopsError(f"several git remotes ({listed}) and none is `origin`; name one origin")
    return None


def read_blobs(root: Path | str, blob_ids: Iterable[str]) -> dict[str, bytes]:
    """Contents of the given blobs, through one `git cat-file --batch` process.

    An id git does not have (or that is not a blob) is left out of the answer, so a caller
    indexing it gets a KeyError it can catch; outside a repository this raises InputError.
    """
    wanted = list(dict.fromkeys(blob_ids))
    if not wanted:
        return {}
    git_dir(root)
    ids = "".join(f"{b}\n" for b in wanted).encode()
    out = git_bytes(root, ["cat-file", "--batch"], "reading blobs", ids)
    blobs: dict[str, bytes] = {}
    pos = 0
    for blob in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) < 3:  # "<id> missing" (or ambiguous): no content follows
            pos = end + 1
            continue
        size = int(header[2])
        if header[1] == b"blob":
            blobs[blob] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1  # content, then a newline
    return blobs
