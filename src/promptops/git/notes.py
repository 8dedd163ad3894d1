"""Eval summaries kept as git notes under `refs/notes/promptops`: reading, adding, merging.

`promptops pr` attaches one to the variant commit it pushes; `promptops history` shows it
next to the version that commit deployed (reading them is `git.note_reading`, without
GitPython). Other runs note other commits, so the remote's notes are merged with ours
(ours win on the same commit).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git

from promptops.git.note_reading import FETCH_STAMP, NOTES_REF
from promptops.git.note_reading import notes_for as notes_for
from promptops.git.note_reading import parse_note as parse_note
from promptops.git.repository import commit_of, find_remote, identity_args, ls_remote, open_repo, run, run_git

REMOTE_NOTES = "refs/promptops/remote-notes"  # scratch ref: the remote's notes, fetched for merging


def read_note(repo_root: Path | str, commit: str) -> dict[str, Any] | None:
    """The JSON eval summary attached to `commit` under refs/notes/promptops; None if none."""
    repo = open_repo(repo_root)
    try:
        text = repo.git.notes(f"--ref={NOTES_REF}", "show", commit)
    except git.GitCommandError:
        return None
    return parse_note(text)


def fetch_notes(repo_root: Path | str, remote: str | None = None) -> bool:
    """Bring the remote's promptops notes into the local notes ref (merging, local wins on
    conflict) and stamp when (`notes_fetched_within`: `history` fetches only when the last
    fetch is old, as notes change rarely). False when there is no remote. Failures propagate."""
    repo = open_repo(repo_root)
    try:
        name = remote or find_remote(repo)
        if name is None:
            return False
        if fetch_remote_notes(repo, name):
            merge_remote_notes(repo)
        stamp = Path(repo.common_dir) / FETCH_STAMP
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        return True
    finally:
        repo.close()


def add_note(repo: git.Repo, remote: str | None, commit: str, note: Mapping[str, Any]) -> None:
    if remote and commit_of(repo, REMOTE_NOTES):  # fetched by _prepare_base
        merge_remote_notes(repo)
    payload = json.dumps(note, indent=2, sort_keys=True, default=str)
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as fh:
        fh.write(payload)
    try:
        run(
            repo,
            [*identity_args(repo), "notes", f"--ref={NOTES_REF}", "add", "--force", "-F", fh.name, commit],
            "writing the note",
        )
    finally:
        Path(fh.name).unlink(missing_ok=True)


def fetch_remote_notes(repo: git.Repo, remote: str) -> bool:
    if NOTES_REF not in ls_remote(repo, remote, NOTES_REF):
        return False
    run_git(repo, "fetch", "fetching notes", "--quiet", "--no-tags", remote, f"+{NOTES_REF}:{REMOTE_NOTES}")
    return True


def merge_remote_notes(repo: git.Repo) -> None:
    """Other runs note other commits; merging keeps theirs and ours (ours wins on the same commit)."""
    if not commit_of(repo, NOTES_REF):
        repo.git.update_ref(NOTES_REF, REMOTE_NOTES)
        return
    run(
        repo,
        [
            *identity_args(repo),
            "notes",
            f"--ref={NOTES_REF}",
            "merge",
            "--quiet",
            "-s",
            "ours",
            REMOTE_NOTES,
        ],
        "merging notes",
    )
