"""Where agent files are read from: the working tree, or a git ref.

One small interface lets one loader serve both `promptops list` on the files you are
editing and `--ref main` on what is deployed. Both sources refuse reads that would leave
the prompts folder: a path with `..` or an absolute path, and a symlink whose target is
outside it (in the working tree, or inside git's tree at that ref).
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from promptops.config import CONFIG_FILE, DEFAULTS, Config, config_from_text
from promptops.errors import InputError
from promptops.files import decode_text

if TYPE_CHECKING:  # GitPython (~0.08 s to import) only when a ref is read, not for the working tree
    from promptops.git.tree import RefTree

MAX_SYMLINK_HOPS = 8
AGENT_FILE = "agent.yaml"
ROLLOUT_FILE = "rollout.yaml"  # a canary rollout beside agent.yaml (`repo.rollouts`)


class FileSource(Protocol):
    """Read-only access to the files of one repository snapshot, addressed by posix paths."""

    root: Path
    prompts_rel: str

    def read_bytes(self, rel_path: str) -> bytes | None:
        """The file's bytes; None when it does not exist; InputError when it escapes."""
        ...

    def agent_files(self) -> list[str]:
        """Paths of every `<prompts folder>/<agent>/agent.yaml`, sorted."""
        ...

    def display(self, rel_path: str) -> Path:
        """How errors name the file: an absolute path, or `ref:path` for a git ref."""
        ...


def prompts_rel(config: Config) -> str:
    """`prompts_dir` as a normalised posix path relative to the repository root."""
    rel = posixpath.normpath(PurePosixPath(Path(config.data["prompts_dir"])).as_posix())
    return "" if rel == "." else rel


def is_safe_relative(path: str) -> bool:
    """True for a relative path with no `..` part, no backslash and no drive."""
    if not path or path.startswith("/") or "\\" in path or ":" in path.split("/")[0]:
        return False
    return ".." not in PurePosixPath(path).parts


def inside(rel_path: str, folder: str) -> bool:
    return folder == "" or rel_path == folder or rel_path.startswith(folder + "/")


class WorkingTreeSource:
    """Files on disk under the repository root."""

    def __init__(self, config: Config) -> None:
        self.root = config.root
        self.prompts_rel = prompts_rel(config)
        self._prompts_abs = (self.root / self.prompts_rel).resolve()

    def read_bytes(self, rel_path: str) -> bytes | None:
        path = self.root / rel_path
        if not path.exists() and not path.is_symlink():
            return None
        target = path.resolve()
        if not target.is_relative_to(self._prompts_abs):
            raise InputError(
                f"{path}: error: refusing to read outside the prompts folder "
                f"{self._prompts_abs} (symlink to {target})"
            )
        return target.read_bytes() if target.is_file() else None

    def agent_files(self) -> list[str]:
        found = (self.root / self.prompts_rel).glob(f"*/{AGENT_FILE}")
        return sorted(p.relative_to(self.root).as_posix() for p in found if p.is_file())

    def display(self, rel_path: str) -> Path:
        return self.root / rel_path


class GitRefSource:
    """Files as committed at a ref; symlinks are followed inside git's tree, never out of it."""

    def __init__(self, config: Config, tree: RefTree) -> None:
        self.root = config.root
        self.prompts_rel = prompts_rel(config)
        self._tree = tree

    def read_bytes(self, rel_path: str) -> bytes | None:
        current = rel_path
        for _ in range(MAX_SYMLINK_HOPS):
            entry = self._tree.entry(current)
            if entry is None:
                return None
            if not entry.is_symlink:
                return entry.data
            link = entry.data.decode("utf-8", errors="replace")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(current), link))
            if target.startswith("/") or target.startswith("..") or not inside(target, self.prompts_rel):
                raise InputError(
                    f"{self.display(rel_path)}: error: refusing to read outside the prompts folder "
                    f"{self.prompts_rel or '.'} (symlink to {link})"
                )
            current = target
        raise InputError(f"{self.display(rel_path)}: error: too many levels of symbolic links")

    def agent_files(self) -> list[str]:
        depth = self.prompts_rel.count("/") + 2 if self.prompts_rel else 1
        return [
            f
            for f in self._tree.files(self.prompts_rel)
            if f.endswith(f"/{AGENT_FILE}") and f.count("/") == depth
        ]

    def display(self, rel_path: str) -> Path:
        return Path(f"{self._tree.ref}:{rel_path}")


@contextmanager
def open_source(config: Config, ref: str | None) -> Iterator[FileSource]:
    """The working tree when `ref` is None, else the tree at `ref` (closed on exit)."""
    if ref is None:
        yield WorkingTreeSource(config)
        return
    from promptops.git.tree import RefTree

    with RefTree(config.root, ref) as tree:
        yield GitRefSource(config, tree)


def config_at(root: Path, ref: str) -> Config:
    """The settings committed at `ref` (the defaults when that commit has no `.promptops.yaml`).

    A pull request is judged by its base's settings, never by the ones it brings along.
    """
    from promptops.git.tree import RefTree

    with RefTree(root, ref) as tree:
        entry = tree.entry(CONFIG_FILE)
    if entry is None or entry.is_symlink:
        return Config(root=root, data=copy.deepcopy(DEFAULTS), source=None)
    where = Path(f"{ref}:{CONFIG_FILE}")
    return config_from_text(root, decode_text(entry.data, where), where)
