"""Eval summaries kept as git notes (`refs/notes/promptops`): their shape and how to read many.

`promptops pr` attaches one to the variant commit it pushes; `promptops history` shows it
next to the version that commit deployed. Reading is one `git notes list` plus one
`git cat-file` process for all notes, however long the history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import git

from promptops.gitops.git import NOTES_REF, open_repo
from promptops.gitops.history import read_blobs

NOTE_SCHEMA = "promptops-eval/1"


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


def describe_note(note: dict[str, Any]) -> str:
    """One line for a table: verdict, pass rates, token change, and what it was measured on."""
    verdict = str(note.get("verdict") or "?")
    rates = note.get("pass_rate") or {}
    parts = [verdict]
    if isinstance(rates, dict) and rates.get("base") is not None and rates.get("variant") is not None:
        parts.append(f"pass {_pct(rates['base'])}->{_pct(rates['variant'])}")
    tokens = note.get("tokens_change_pct")
    if isinstance(tokens, int | float):
        parts.append(f"tokens {tokens:+.0f}%")
    if note.get("cases"):
        parts.append(f"({note['cases']} cases x {note.get('repeats', 1)})")
    return " ".join(parts)


def _pct(value: Any) -> str:
    return f"{100 * float(value):.0f}%" if isinstance(value, int | float) else "?"
