"""A prompt's history as chart points, and the one rule for what an eval note says a version
measured: what `promptops history --chart` draws and what the dashboard shows as last eval.

`measured(note, version_id)` is that rule; `version_points` and the dashboard's last eval
(`gather`) both ask it, so a figure the chart draws and the figure the dashboard writes for
the same version are the same figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from promptops.charts import DEFAULT_LAST, VersionPoint, version_charts
from promptops.repo.eval_notes import NOTE_SCHEMA
from promptops.repo.history import PromptHistory, PromptVersion
from promptops.stats.intervals import wilson_interval

# The sides of a note, in the order they are asked: the variant's carries its own interval.
SIDES = ("variant", "base")


@dataclass(frozen=True)
class Measured:
    """A pass rate an eval note measured for one version's text, with its 95% interval and
    what it was measured on (cases x repeats)."""

    pass_rate: float
    low: float
    high: float
    cases: int
    repeats: int


def measured(note: dict[str, Any] | None, version_id: str | None) -> Measured | None:
    """The pass rate `note` measured for the text `version_id`, or None when it measured none.

    What a note records (`bot.session_report.eval_note`, attached to the commit it judged):
    two texts run on the same cases, each named by its version id (blob id): `base_version`
    at `pass_rate.base` and `variant_version` at `pass_rate.variant`, and `pass_interval`,
    which is the variant's interval only. A side counts for a version when its version id is
    that version's id, never by position: a version whose commit carries a note about other
    texts (a person pushed to the branch after the eval; a rollout's note) counts as not
    evaluated rather than borrowing a figure. The variant side is asked first: where both
    sides name the same text, it is the one with its own interval. The base side's interval,
    and one missing, malformed or not around its rate (notes written before they carried
    one), is the Wilson interval over cases x repeats. A rate without a case count says
    nothing about what it was measured on, so it is not a measurement. Callers ask the note
    on the version's own commit only: a figure is dated by the commit its note is on.
    """
    if not note or version_id is None or note.get("schema") != NOTE_SCHEMA:
        return None
    rates = note.get("pass_rate")
    cases, repeats = _count(note.get("cases")), max(_count(note.get("repeats")), 1)
    if not isinstance(rates, dict) or cases == 0:
        return None
    for side in SIDES:
        rate = _fraction(rates.get(side))
        if note.get(f"{side}_version") != version_id or rate is None:
            continue
        interval = note.get("pass_interval") if side == "variant" else None
        low, high = _interval(interval if isinstance(interval, dict) else {}, rate, cases * repeats)
        return Measured(rate, low, high, cases, repeats)
    return None


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
    found = measured(version.eval, version.version_id)
    if found is None:
        return VersionPoint(f"v{version.number}", None, None, None, version.tokens)
    return VersionPoint(f"v{version.number}", found.pass_rate, found.low, found.high, version.tokens)


def _interval(recorded: dict[str, Any], rate: float, samples: int) -> tuple[float, float]:
    low, high = _fraction(recorded.get("low")), _fraction(recorded.get("high"))
    if low is not None and high is not None and low <= rate <= high:
        return low, high
    # Around the nearest whole count: the rate lies within half a sample of it, which Wilson's
    # interval always covers (errored samples left out make `samples` an upper bound).
    return wilson_interval(round(rate * samples), samples)


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0.0 <= value <= 1.0 else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
