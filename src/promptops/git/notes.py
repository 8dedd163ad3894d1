"""Eval summaries kept as git notes under `refs/notes/promptops`: reading, adding, merging.

`promptops pr` attaches one to the variant commit it pushes; `promptops history` shows it
next to the version that commit deployed. Reading many is one `git notes list` plus one
`git cat-file` process for all notes, however long the history. Other runs note other
commits, so the remote's notes are merged with ours (ours win on the same commit).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import git

from promptops.git.repository import commit_of, find_remote, identity_args, ls_remote, open_repo, run, run_git
from promptops.git.tree import read_blobs

NOTES_REF = "refs/notes/promptops"


REMOTE_NOTES = "refs/promptops/remote-notes"  # scratch ref: the remote's notes, fetched for merging


def read_note(repo_root: Path | str, commit: str) -> dict[str, Any] | None:
    """The JSON eval summary attached to `commit` under refs/notes/promptops; None if none."""
    repo = open_repo(repo_root)
    try:
        text = repo.git.notes(f"--ref={NOTES_REF}", "show", commit)
    except git.GitCommandError:
        return None
    return parse_note(text)


FETCH_STAMP = "promptops/notes-fetched"  # under the git dir: when origin's notes were last fetched


def fetch_notes_when_stale(repo_root: Path | str, max_age_s: float) -> bool:
    """Fetch origin's notes unless they were fetched less than `max_age_s` ago; True if fetched.

    `promptops history` runs often and notes change rarely: a network round trip on every
    call cost more than the whole local history. Failures propagate (the caller decides).
    """
    repo = open_repo(repo_root)
    try:
        stamp = Path(repo.common_dir) / FETCH_STAMP
        try:
            if time.time() - stamp.stat().st_mtime < max_age_s:
                return False
        except FileNotFoundError:
            pass
        name = find_remote(repo)
        if name is None:
            return False
        if fetch_remote_notes(repo, name):
            merge_remote_notes(repo)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        return True
    finally:
        repo.close()


def fetch_notes(repo_root: Path | str, remote: str | None = None) -> None:
    """Bring the remote's promptops notes into the local notes ref (merging, local wins on conflict)."""
    repo = open_repo(repo_root)
    name = remote or find_remote(repo)
    if name and fetch_remote_notes(repo, name):
        merge_remote_notes(repo)


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


def parse_note(text: str | None) -> dict[str, Any] | None:
    """A note's JSON object, or None when there is none or it is not a JSON object."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def notes_for(root: Path, commits: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The JSON note of each of `commits` that has one (notes that are not JSON objects are skipped)."""
    wanted = set(commits)
    if not wanted:
        return {}
    repo = open_repo(root)
    try:
        listing = repo.git.notes(f"--ref={NOTES_REF}", "list")
    except git.GitCommandError:  # no notes ref yet
        return {}
    finally:
        repo.close()
    blob_of = {}
    for line in listing.splitlines():
        blob, _, commit = line.partition(" ")
        if commit in wanted:
            blob_of[commit] = blob
    blobs = read_blobs(root, blob_of.values())
    notes = {}
    for commit, blob in blob_of.items():
        try:
            data = json.loads(blobs[blob])
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(data, dict):
            notes[commit] = data
    return notes
