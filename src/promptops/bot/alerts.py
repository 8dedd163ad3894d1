"""GitHub's alert blocks for verdict lines, so a reviewer sees the outcome by its colour.

`> [!CAUTION]` (red) for a regression, `> [!TIP]` (green) for an improvement, `> [!NOTE]`
(blue) for no difference, inconclusive, or anything else: an unknown outcome is never
shown as good news.
"""

from __future__ import annotations

_KINDS = {"regression": "CAUTION", "improvement": "TIP"}


def alert_kind(outcome: str) -> str:
    return _KINDS.get(outcome, "NOTE")


def alert(outcome: str, line: str) -> str:
    """`line` (already escaped markdown) inside the alert block for `outcome`."""
    return f"> [!{alert_kind(outcome)}]\n> {line}"


def run_link(run_url: str | None) -> str:
    """The sentence linking the workflow run that produced a report; empty outside Actions."""
    return f"Produced by [this workflow run]({run_url})." if run_url else ""
