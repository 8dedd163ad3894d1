"""Files as they were at a git ref, read without touching the working tree.

`promptops.repo` loads agents from here when a command is given `--ref` (or compares a
branch with the default branch), so the same loader serves the working tree and history.
`RefTree` walks trees with GitPython, imported only when one is opened: `history` and
`list` read blobs and tree listings through plain `git` processes (`git.process`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from promptops.errors import NotFoundError
from promptops.git.process import git_text
from promptops.git.process import read_blobs as read_blobs
from promptops.git.shallow import missing_history_hint

SYMLINK_MODE = 0o120000


@dataclass(frozen=True)
class TreeEntry:
    """One file in a commit's tree: its mode and raw content (a symlink's content is its target)."""

    path: str
    mode: int
    data: bytes

    @property
    def is_symlink(self) -> bool:
        return self.mode & 0o170000 == SYMLINK_MODE


class RefTree:
    """The tree of the commit `ref` points at; one open repository for many reads."""

    def __init__(self, root: Path, ref: str) -> None:
        import git
        from gitdb.exc import BadName, BadObject

        from promptops.git.repository import open_repo

        self.ref = ref
        self._repo = open_repo(root)
        try:
            self._commit = self._repo.commit(ref)
            self._commit.tree  # noqa: B018 - a shallow clone names parents it does not have
        except (BadName, BadObject, ValueError, git.GitCommandError) as exc:
            self._repo.close()
            raise NotFoundError(
                f"{root}: error: unknown git ref {ref!r}{missing_history_hint(root)}"
            ) from exc

    @property
    def commit_id(self) -> str:
        return self._commit.hexsha

    def entry(self, rel_path: str) -> TreeEntry | None:
        """The file at `rel_path` (posix, relative to the root), or None if absent or a folder."""
        try:
            obj = self._commit.tree / rel_path
        except KeyError:
            return None
        if obj.type != "blob":
            return None
        return TreeEntry(path=rel_path, mode=obj.mode, data=obj.data_stream.read())

    def files(self, folder: str) -> list[str]:
        """Posix paths of every file under `folder` (recursively), sorted; [] if there is none."""
        folder = folder.strip("/")
        try:
            tree = self._commit.tree if folder in ("", ".") else self._commit.tree / folder
        except KeyError:
            return []
        if tree.type != "tree":
            return []
        return sorted(item.path for item in tree.traverse() if item.type == "blob")

    def close(self) -> None:
        self._repo.close()

    def __enter__(self) -> RefTree:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_blob(root: Path, ref: str, rel_path: str) -> bytes | None:
    """Content of `rel_path` at `ref` (a symlink's target text, as `git show` prints), or None."""
    with RefTree(root, ref) as tree:
        entry = tree.entry(rel_path)
    return None if entry is None else entry.data


def list_tree(root: Path, ref: str, folder: str) -> list[str]:
    """Posix paths (relative to the root) of every file under `folder` at `ref`."""
    with RefTree(root, ref) as tree:
        return tree.files(folder)


def tree_blobs(root: Path, rev: str, folder: str) -> dict[str, str]:
    """Blob id of every file under `folder` at `rev`, in one `git ls-tree -r` call."""
    out = git_text(root, ["ls-tree", "-r", "-z", "--full-tree", rev, "--", folder or "."], f"listing {rev}")
    blobs = {}
    for record in out.split("\0"):
        if record:
            meta, path = record.split("\t", 1)
            _mode, kind, blob = meta.split()
            if kind == "blob":
                blobs[path] = blob
    return blobs
