"""Sentences a pull-request reviewer can read, built from the figures."""

from __future__ import annotations

from promptops.stats.figures import PassFigures
from promptops.stats.ratios import RatioEstimate


def points(fraction: float) -> str:
    """A signed difference in percentage points: +9, -2.5."""
    return f"{round(fraction * 100, 1) + 0.0:+g}"


def percent(fraction: float | None) -> str:
    if fraction is None:
        return "n/a"
    value = round(fraction * 100, 1)
    return f"{int(value)}%" if value == int(value) else f"{value:.1f}%"


def p_value(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}" if p < 0.01 else f"p={p:.2f}"


def sample_description(fig: PassFigures) -> str:
    if fig.cases:
        repeats = fig.repeats or 1
        case_word = "case" if fig.cases == 1 else "cases"
        repeat_word = "repeat" if repeats == 1 else "repeats"
        return f"{fig.cases} {case_word} x {repeats} {repeat_word}"
    return f"{fig.samples} paired samples"


def pass_sentence(fig: PassFigures) -> str:
    diff = fig.difference
    level = round(diff.confidence * 100)
    scope = "" if fig.scope == "all cases" else f" on {fig.scope}"
    return (
        f"pass rate{scope} {percent(fig.base.rate)} -> {percent(fig.candidate.rate)} "
        f"({points(diff.diff)} pts, {level}% CI {points(diff.low)} to {points(diff.high)}), "
        f"McNemar {p_value(fig.mcnemar_p)} on {sample_description(fig)}"
    )


def ratio_sentence(label: str, est: RatioEstimate, unit: str) -> str:
    level = round(est.confidence * 100)
    return (
        f"{label} {_amount(est.base_mean, unit)} -> {_amount(est.candidate_mean, unit)} per sample; "
        f"per case {est.change_pct:+.1f}% (geometric mean, {level}% CI {(est.low - 1) * 100:+.1f}% to "
        f"{(est.high - 1) * 100:+.1f}%, {est.method} on {est.n} pairs{_left_out(est)})"
    )


def _left_out(est: RatioEstimate) -> str:
    return f"; {est.excluded} pair(s) with a zero value left out" if est.excluded else ""


def _amount(value: float, unit: str) -> str:
    if unit == "usd":
        return f"${value:.4f}"
    if unit == "ms":
        return f"{value:,.0f} ms"
    return f"{value:,.0f}"
