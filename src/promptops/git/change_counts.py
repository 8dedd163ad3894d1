"""How many first-parent commits changed each file of a folder: every prompt's `vN` at once.

Counting needs a diff of every commit of the default branch (a 10,000-commit history
costs git ~0.6 s), while the answer for a commit never changes. So the counts are kept
per folder with the commit they were computed at, in `<git dir>/promptops/change-counts.json`,
and brought forward with a `git log` of only the new commits when the branch moved on
along its first-parent chain (anything else recomputes from scratch). The cache lives in
the git directory, never in the working tree, and is skipped if it cannot be written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from promptops.git.log import on_first_parent_chain
from promptops.git.process import git_dir, git_text
from promptops.git.shallow import refuse_shallow

CACHE_FORMAT = 1


def change_counts(root: Path, commit: str, folder: str) -> dict[str, int]:
    """For each file under `folder` at `commit`: how many first-parent commits changed it.

    Renames are detected (`-M`) and carry their count to the new name, so the figure
    matches `file_log` (which follows renames). Deleted files keep their count; callers
    look up only files that exist.
    """
    refuse_shallow(root, "version numbers")  # a cut history numbers every version wrong
    cache_file = git_dir(root) / "promptops" / "change-counts.json"
    cache = _read_cache(cache_file)
    entry = cache.get(folder or ".")
    if entry and entry["commit"] == commit:
        return dict(entry["counts"])
    base = entry["commit"] if entry and on_first_parent_chain(root, entry["commit"], commit) else None
    counts = dict(entry["counts"]) if base else {}
    _count_changes(root, f"{base}..{commit}" if base else commit, folder, counts)
    cache[folder or "."] = {"commit": commit, "counts": counts}
    _write_cache(cache_file, cache)
    return counts


def _count_changes(root: Path, revs: str, folder: str, counts: dict[str, int]) -> None:
    """Add one per file per first-parent commit in `revs` that changed it (oldest first)."""
    args = ["log", "--first-parent", "--reverse", "--name-status", "-M", "-z", "--format=%x1e", revs]
    out = git_text(root, [*args, "--", folder or "."], "counting the changes of every prompt")
    for chunk in out.split("\x1e")[1:]:
        tokens = [t for t in chunk.lstrip("\0\n").split("\0") if t]
        i = 0
        while i < len(tokens):
            status = tokens[i]
            if status[0] in "RC":
                old, new, i = tokens[i + 1], tokens[i + 2], i + 3
                counts[new] = counts.get(old, 0) + 1
                if status[0] == "R":
                    counts.pop(old, None)
            else:
                path, i = tokens[i + 1], i + 2
                counts[path] = counts.get(path, 0) + 1


def _read_cache(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return {}
    return data.get("folders", {})


def _write_cache(path: Path, folders: dict[str, dict]) -> None:
    """Atomic replace, so a concurrent reader sees the old or the new file, never half of one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".change-counts-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"format": CACHE_FORMAT, "folders": folders}, out)
        os.replace(tmp, path)
    except OSError:
        pass
