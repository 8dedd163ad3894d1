"""The eval summary a publish attaches as a git note: its schema name and its one-line form.

Reading notes is `promptops.git.notes`; this module knows what is inside one, so
`promptops history`, the demo and the bot's reports describe a note the same way.
"""

from __future__ import annotations

from typing import Any

NOTE_SCHEMA = "promptops-eval/1"


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
