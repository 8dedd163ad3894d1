"""The dashboard's checkboxes: one per action, each carrying a hidden marker that names it.

`- [ ] <!-- promptops:optimize support-agent/system conciseness --> optimize for conciseness now`

Ticking a box edits the issue; GitHub sends `issues: edited` with the body before the edit
(`changes.body.from`). An action runs only when its box is ticked now AND was present and
unticked before: a box the editor typed in already ticked is not one the bot offered, and
a box the bot unticks again (its own edit) is not newly ticked, so nothing runs twice.
Each action is a `/promptops` command, so running it is running that command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

VERBS = ("optimize", "eval", "unignore")
_BOX = re.compile(
    r"^(?P<indent>[ \t]*[-*] )\[(?P<mark>[ xX])\](?P<rest> <!-- promptops:(?P<verb>"
    + "|".join(VERBS)
    + r") (?P<args>[^<>]*?) -->.*)$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Action:
    """What one checkbox does: `verb` on `target` (a prompt id, or an agent for eval)."""

    verb: str  # optimize | eval | unignore
    target: str
    goal: str | None = None
    label: str = ""

    @property
    def marker(self) -> str:
        words = " ".join(w for w in (self.verb, self.target, self.goal) if w)
        return f"<!-- promptops:{words} -->"

    @property
    def command(self) -> str:
        """The `/promptops` command the box runs (the same gate, parser and handler as a comment)."""
        goal = f" --goal {self.goal}" if self.goal else ""
        return f"/promptops {self.verb} {self.target}{goal}"

    def box(self) -> str:
        return f"- [ ] {self.marker} {self.label}".rstrip()

    def to_json(self) -> dict[str, Any]:
        return {
            "verb": self.verb,
            "target": self.target,
            "goal": self.goal,
            "label": self.label,
            "marker": self.marker,
            "command": self.command,
        }


def boxes(body: str | None) -> dict[Action, bool]:
    """Every action box in `body` and whether it is ticked (first occurrence wins)."""
    found: dict[Action, bool] = {}
    for match in _BOX.finditer(body or ""):
        words = match.group("args").split()
        if not words or len(words) > 2:
            continue
        action = Action(match.group("verb"), words[0], words[1] if len(words) == 2 else None)
        found.setdefault(action, match.group("mark") != " ")
    return found


def newly_ticked(before: str | None, after: str | None) -> list[Action]:
    """Actions ticked in `after` that were offered unticked in `before`, in body order."""
    was = boxes(before)
    return [a for a, ticked in boxes(after).items() if ticked and was.get(a) is False]


def untick(body: str, actions: list[Action]) -> str:
    """`body` with the boxes of `actions` unticked; every other line as it was."""
    markers = {a.marker for a in actions}

    def clear(match: re.Match[str]) -> str:
        action = Action(match.group("verb"), *match.group("args").split()[:2])
        if action.marker not in markers:
            return match.group(0)
        return f"{match.group('indent')}[ ]{match.group('rest')}"

    return _BOX.sub(clear, body)
