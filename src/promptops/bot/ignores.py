""" "No means no": the record of optimize PRs a maintainer closed unmerged.

The record is a git note under `refs/notes/promptops` on the prompt version the PR started
from. A version id is the git blob id of the prompt's text, so the note sits on that blob:
it travels with the notes ref every clone already fetches, needs no state outside git, and
stops applying by itself the moment the prompt's text changes (a new blob has no note).
The note holds `{"ignored": {PROMPT_ID: {GOAL: {"pr": N, "by": LOGIN, "at": ISO}}}}`; the
prompt id is a key because two prompts with the same text share a blob.
"""

from __future__ import annotations

from datetime import UTC, datetime

from promptops.config import Config
from promptops.git.branches import default_branch_ref
from promptops.git.notes import fetch_notes, read_note
from promptops.git.push import write_note
from promptops.repo.agents import resolve_prompt_id
from promptops.repo.ignore_notes import Ignore, ignores_in_note

__all__ = ["Ignore", "current_version", "find_ignore", "now_iso", "record_ignore", "remove_ignore"]


def current_version(config: Config, prompt_id: str) -> str:
    """The prompt's version id on the default branch (what the schedule would optimize)."""
    return resolve_prompt_id(config, prompt_id, default_branch_ref(config.root, config)).version_id


def record_ignore(config: Config, ignore: Ignore, *, push: bool = True) -> bool:
    """Add `ignore` to the note on its version (keeping what the note held); push the notes ref."""
    fetch_notes(config.root)
    note = read_note(config.root, ignore.version_id) or {}
    by_prompt = dict(note.get("ignored") or {})
    goals = dict(by_prompt.get(ignore.prompt_id) or {})
    goals[ignore.goal] = {"pr": ignore.pr, "by": ignore.by, "at": ignore.at}
    by_prompt[ignore.prompt_id] = goals
    return write_note(config.root, ignore.version_id, {**note, "ignored": by_prompt}, push=push)


def find_ignore(config: Config, prompt_id: str, goal: str, version_id: str) -> Ignore | None:
    """The ignore recorded for `prompt_id`/`goal` at `version_id`; call `fetch_notes` first."""
    found = ignores_in_note(read_note(config.root, version_id), prompt_id, version_id)
    return next((ignore for ignore in found if ignore.goal == goal), None)


def remove_ignore(config: Config, prompt_id: str, goal: str, *, push: bool = True) -> Ignore | None:
    """Forget the ignore of `goal` for the prompt's current version; the removed record, or None."""
    version = current_version(config, prompt_id)
    fetch_notes(config.root)
    found = find_ignore(config, prompt_id, goal, version)
    if found is None:
        return None
    note = read_note(config.root, version) or {}
    by_prompt = dict(note.get("ignored") or {})
    goals = {g: v for g, v in (by_prompt.get(prompt_id) or {}).items() if g != goal}
    if goals:
        by_prompt[prompt_id] = goals
    else:
        by_prompt.pop(prompt_id, None)
    write_note(config.root, version, {**note, "ignored": by_prompt}, push=push)
    return found


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
