"""Reading eval notes (`refs/notes/promptops`) without GitPython: the `history` path.

`git.notes` adds, fetches and merges notes (GitPython); what `promptops history` needs on
every call is only here: the note text is parsed from its `git log` (`%N`), a merged PR
without its own note takes its branch head's from one `notes list` + one `cat-file`, and
whether origin's notes were fetched recently enough is one `stat` of a stamp file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from promptops.git.process import git_dir, read_blobs, run_git_raw

NOTES_REF = "refs/notes/promptops"
FETCH_STAMP = "promptops/notes-fetched"  # under the git dir: when origin's notes were last fetched


def parse_note(text: str | None) -> dict[str, Any] | None:
    """A note's JSON object, or None when there is none or it is not a JSON object."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def notes_fetched_within(repo_root: Path | str, max_age_s: float) -> bool:
    """True when origin's notes were fetched less than `max_age_s` ago (the stamp's age)."""
    try:
        return time.time() - (git_dir(repo_root) / FETCH_STAMP).stat().st_mtime < max_age_s
    except FileNotFoundError:
        return False


def notes_for(root: Path, commits: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The JSON note of each of `commits` that has one (notes that are not JSON objects are skipped)."""
    wanted = set(commits)
    if not wanted:
        return {}
    status, out, _ = run_git_raw(root, ["notes", f"--ref={NOTES_REF}", "list"])
    if status != 0:  # no notes ref yet
        return {}
    blob_of = {}
    for line in out.decode().splitlines():
        blob, _, commit = line.partition(" ")
        if commit in wanted:
            blob_of[commit] = blob
    blobs = read_blobs(root, blob_of.values())
    notes = {}
    for commit, blob in blob_of.items():
        data = parse_note(blobs[blob].decode("utf-8", errors="replace")) if blob in blobs else None
        if data is not None:
            notes[commit] = data
    return notes
