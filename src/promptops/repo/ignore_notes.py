"""Reading the "no means no" record: which goals of a prompt were declined at a version.

`bot/ignores.py` writes the record (a git note on the prompt version's blob, see there);
reading it sits down here so the dashboard, which lives below the bot, lists ignored
suggestions from the same place the schedule consults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ignore:
    """Goal `goal` of `prompt_id` at version `version_id` was declined by closing PR `pr`."""

    prompt_id: str
    goal: str
    version_id: str
    pr: int | None
    by: str
    at: str


def ignores_in_note(note: dict[str, Any] | None, prompt_id: str, version_id: str) -> list[Ignore]:
    """The ignores a note on `version_id` holds for `prompt_id`, goals in name order."""
    goals: Any = ((note or {}).get("ignored") or {}).get(prompt_id) or {}
    if not isinstance(goals, dict):
        return []
    return [
        Ignore(
            prompt_id, goal, version_id, entry.get("pr"), str(entry.get("by", "")), str(entry.get("at", ""))
        )
        for goal, entry in sorted(goals.items())
        if isinstance(entry, dict)
    ]
