"""The user's working tree: which of the files promptops would touch have uncommitted changes."""

from __future__ import annotations

from pathlib import Path

from promptops.errors import PromptopsError
from promptops.git.repository import open_repo


def changed_paths(repo_root: Path | str, paths: list[str]) -> list[str]:
    """Those of `paths` that are modified, staged, deleted or untracked in the user's checkout."""
    if not paths:
        return []
    out = open_repo(repo_root).git.status("--porcelain", "-z", "--untracked-files=all", "--", *paths)
    entries = [e for e in out.split("\0") if e]
    changed: list[str] = []
    skip_next = False
    for entry in entries:
        if skip_next:  # the old name of a rename
            skip_next = False
            continue
        changed.append(entry[3:])
        skip_next = entry[0] in "RC"
    return sorted(set(changed))


def ensure_clean(repo_root: Path | str, paths: list[str]) -> None:
    """Refuse to go on while the files we would touch have uncommitted changes; name them."""
    dirty = changed_paths(repo_root, paths)
    if dirty:
        raise PromptopsError(
            f"uncommitted changes in {', '.join(dirty)}; commit or stash them first "
            "(promptops works from committed content)"
        )
