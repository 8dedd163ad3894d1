"""A prompt's history as chart points: what `promptops history --chart` and the dashboard draw.

The pass rate of a version is the one promptops measured for exactly that text: the git note
a publish attached (`session_report.eval_note`) says which version it measured as
`variant_version`, and a note about another text (a person pushed to the branch after the
eval, or a rollout's note) is not this version's result, so that version counts as not
evaluated rather than borrowing a figure. Notes written before they carried the interval
get the Wilson interval of their pass rate over cases x repeats (what the eval measured on,
unless errored samples were left out).
"""

from __future__ import annotations

from typing import Any

from promptops.charts import DEFAULT_LAST, VersionPoint, version_charts
from promptops.repo.eval_notes import NOTE_SCHEMA
from promptops.repo.history import PromptHistory, PromptVersion
from promptops.stats.intervals import wilson_interval


def version_points(history: PromptHistory, *, last: int = DEFAULT_LAST) -> list[VersionPoint]:
    """The newest `last` versions on the default branch, oldest first (commits only on other
    branches, shown by `history --all-branches`, have no vN and are left out)."""
    on_default = [v for v in history.versions if v.number is not None]
    on_default.sort(key=lambda v: v.number or 0)
    return [_point(v) for v in on_default[-last:]] if last > 0 else []


def history_charts(history: PromptHistory, *, last: int = DEFAULT_LAST) -> str:
    """Markdown with the pass-rate and tokens charts of a prompt's newest versions."""
    return version_charts(history.prompt_id, version_points(history, last=last), last=last)


def _point(version: PromptVersion) -> VersionPoint:
    measured = _measured(version.eval, version.version_id)
    low, rate, high = measured if measured else (None, None, None)
    return VersionPoint(f"v{version.number}", rate, low, high, version.tokens)


def _measured(note: dict[str, Any] | None, version_id: str | None) -> tuple[float, float, float] | None:
    """(low, pass rate, high) of the note's variant when it is `version_id`; None otherwise."""
    if not note or version_id is None or note.get("schema") != NOTE_SCHEMA:
        return None
    if note.get("variant_version") != version_id:
        return None
    rate = _fraction((note.get("pass_rate") or {}).get("variant"))
    if rate is None:
        return None
    interval = note.get("pass_interval") or {}
    low, high = _fraction(interval.get("low")), _fraction(interval.get("high"))
    if low is not None and high is not None and low <= rate <= high:
        return low, rate, high
    samples = _count(note.get("cases")) * max(_count(note.get("repeats")), 1)
    if samples == 0:
        return None
    low, high = wilson_interval(round(rate * samples), samples)
    return min(low, rate), rate, max(high, rate)  # the rate was measured on up to `samples`


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0.0 <= value <= 1.0 else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
