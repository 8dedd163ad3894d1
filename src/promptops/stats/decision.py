"""The decision: is the candidate prompt better than the base for the goal being optimised?

Rules (alpha, min_success_delta and the minimum reductions come from `decision.*` settings):

- Any significant pass-rate drop (McNemar p < alpha, candidate lower) is a regression,
  whatever the goal, on all cases and on the cases tagged `safety` or `clarity` (a shorter
  prompt that breaks the safety cases is not made acceptable by the others).
- accuracy: improvement when the pass-rate gain is significant (McNemar p < alpha).
- clarity, safety: as accuracy, on the cases tagged `clarity` / `safety` (all cases, with a
  reason saying so, when no case carries the tag).
- conciseness (tokens) / speed (latency): improvement when the metric falls significantly (a
  one-sided test at alpha: the one-sided upper bound of the paired ratio below 1) by at least the
  configured minimum (the point estimate), AND the pass rate is non-inferior (one-sided lower
  bound of the difference above -min_success_delta, also at alpha). A significant rise of the
  metric (two-sided interval above 1) is a regression.
- no-difference when the intervals rule out an effect of the size that matters; otherwise
  inconclusive, with about how many more samples would settle it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from promptops.config import GOALS
from promptops.stats import needed
from promptops.stats.arms import Arm
from promptops.stats.figures import ComparisonFigures, PassFigures, measure_pass, measure_ratio
from promptops.stats.power import DEFAULT_POWER
from promptops.stats.ratios import RatioEstimate
from promptops.stats.wording import pass_sentence, points, ratio_sentence

Outcome = Literal["improvement", "regression", "no-difference", "inconclusive"]
TAGGED_GOALS = ("clarity", "safety")


@dataclass(frozen=True)
class DecisionSettings:
    """The `decision.*` settings, and the power `needed_samples` plans for."""

    alpha: float = 0.05
    min_success_delta: float = 0.05
    min_token_reduction_pct: float = 10.0
    min_latency_reduction_pct: float = 5.0
    power: float = DEFAULT_POWER

    @classmethod
    def from_config(cls, config: Any) -> DecisionSettings:
        """From a `promptops.config.Config` (anything with `.get("decision.alpha")`)."""
        return cls(
            alpha=float(config.get("decision.alpha")),
            min_success_delta=float(config.get("decision.min_success_delta")),
            min_token_reduction_pct=float(config.get("decision.min_token_reduction_pct")),
            min_latency_reduction_pct=float(config.get("decision.min_latency_reduction_pct")),
        )

    @property
    def confidence(self) -> float:
        return 1.0 - self.alpha


@dataclass(frozen=True)
class Verdict:
    """The outcome, the reasons in words, and the figures behind them (JSON via `to_dict`)."""

    outcome: Outcome
    goal: str
    reasons: list[str]
    figures: ComparisonFigures
    needed_samples: int | None = None  # more paired samples to settle an inconclusive result
    needed_open_ended: bool = False  # needed_samples is only a floor: "more than N"

    @property
    def headline(self) -> str:
        """`improvement`, `inconclusive (need about 120 more samples)`, or, when the estimate is
        only a floor, `inconclusive (need more than 1,800 more samples; ...)`."""
        if self.outcome != "inconclusive" or not self.needed_samples:
            return self.outcome
        if self.needed_open_ended:
            return (
                f"inconclusive (need more than {self.needed_samples:,} more samples; "
                "the difference may be inside the margin)"
            )
        return f"inconclusive (need about {self.needed_samples:,} more samples)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "headline": self.headline,
            "goal": self.goal,
            "needed_samples": self.needed_samples,
            "needed_open_ended": self.needed_open_ended,
            "reasons": list(self.reasons),
            "figures": self.figures.to_dict(),
        }


@dataclass
class _Draft:
    """A verdict being assembled: reasons accumulate as the rules are checked."""

    reasons: list[str] = field(default_factory=list)


def compare(base: Arm, candidate: Arm, goal: str, settings: DecisionSettings) -> Verdict:
    """Decide whether `candidate` improves on `base` for `goal` (see the module docstring)."""
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal!r}; expected one of {', '.join(GOALS)}")
    if len(base.passed) != len(candidate.passed):
        raise ValueError(f"arms are not paired: {len(base.passed)} vs {len(candidate.passed)} samples")
    draft = _Draft()
    figures = _measure(base, candidate, goal, settings, draft)
    outcome, more = _decide(figures, goal, settings, draft)
    if more is None:
        return Verdict(outcome, goal, draft.reasons, figures)
    return Verdict(outcome, goal, draft.reasons, figures, more.samples, more.open_ended)


def _measure(
    base: Arm, candidate: Arm, goal: str, settings: DecisionSettings, draft: _Draft
) -> ComparisonFigures:
    everything = range(len(base.passed))
    conf = settings.confidence
    tagged = {}
    for tag in TAGGED_GOALS:
        indices = [i for i in everything if base.tags and tag in base.tags[i]]
        if indices:
            tagged[tag] = measure_pass(base, candidate, indices, f"cases tagged '{tag}'", conf)
    focus = tagged.get(goal)
    if goal in TAGGED_GOALS and focus is None:
        draft.reasons.append(
            f"no case is tagged '{goal}', so the {goal} goal is judged on all cases' pass rate"
        )
    both = [i for i in everything if base.passed[i] is not None and candidate.passed[i] is not None]
    return ComparisonFigures(
        alpha=settings.alpha,
        all_cases=measure_pass(base, candidate, everything, "all cases", conf),
        focus=focus,
        tagged=tuple(tagged.values()),
        tokens=measure_ratio(base.tokens, candidate.tokens, both, confidence=conf),
        latency_ms=measure_ratio(base.latency_ms, candidate.latency_ms, both, confidence=conf),
        cost_usd=measure_ratio(base.cost_usd, candidate.cost_usd, both, confidence=conf),
    )


def _decide(
    figures: ComparisonFigures, goal: str, settings: DecisionSettings, draft: _Draft
) -> tuple[Outcome, needed.Needed | None]:
    overall = figures.all_cases
    if overall.errors_excluded:
        draft.reasons.append(f"{overall.errors_excluded} sample pair(s) left out because a run errored")
    if overall.samples == 0:
        draft.reasons.append("no sample ran without error in both arms, so nothing can be compared")
        return "inconclusive", None
    scopes = [overall, *figures.tagged]
    for fig in scopes:
        if _significant_drop(fig, settings):
            draft.reasons.insert(0, pass_sentence(fig))
            draft.reasons.insert(1, f"the pass rate fell significantly (p < alpha = {settings.alpha:g})")
            return "regression", None
    if goal == "conciseness":
        return _decide_reduction(
            figures.tokens, "tokens", "", settings.min_token_reduction_pct, figures, settings, draft
        )
    if goal == "speed":
        return _decide_reduction(
            figures.latency_ms, "latency", "ms", settings.min_latency_reduction_pct, figures, settings, draft
        )
    return _decide_pass_gain(figures.focus or overall, settings, draft, figures)


def _significant_drop(fig: PassFigures, settings: DecisionSettings) -> bool:
    return fig.mcnemar_p < settings.alpha and fig.difference.diff < 0


def _decide_pass_gain(
    fig: PassFigures, settings: DecisionSettings, draft: _Draft, figures: ComparisonFigures
) -> tuple[Outcome, needed.Needed | None]:
    delta = settings.min_success_delta
    draft.reasons.insert(0, pass_sentence(fig))
    if fig is not figures.all_cases:
        draft.reasons.append(pass_sentence(figures.all_cases))
    _add_usage_reasons(figures, draft)
    if fig.mcnemar_p < settings.alpha and fig.difference.diff > 0:
        draft.reasons.insert(1, f"the pass-rate gain is significant (p < alpha = {settings.alpha:g})")
        return "improvement", None
    if -delta < fig.difference.low and fig.difference.high < delta:
        draft.reasons.insert(
            1, f"the interval rules out a change of {points(delta).lstrip('+')} points or more"
        )
        return "no-difference", None
    more = needed.for_pass_gain(fig, settings.alpha, settings.power, delta)
    draft.reasons.insert(
        1,
        f"not significant at alpha = {settings.alpha:g} and a change of "
        f"{points(delta).lstrip('+')} points is not ruled out",
    )
    return "inconclusive", more


def _decide_reduction(
    est: RatioEstimate | None,
    label: str,
    unit: str,
    min_pct: float,
    figures: ComparisonFigures,
    settings: DecisionSettings,
    draft: _Draft,
) -> tuple[Outcome, needed.Needed | None]:
    fig = figures.all_cases
    draft.reasons.insert(0, pass_sentence(fig))
    if est is None:
        draft.reasons.insert(0, f"{label} were not measured for both prompts, so the goal cannot be judged")
        return "inconclusive", None
    threshold = 1.0 - min_pct / 100.0
    # One-sided tests in the goal's direction, each at alpha: the metric fell (upper bound below
    # 1) and the pass rate is non-inferior (lower bound above -margin). Improvement needs both,
    # an intersection-union test, so its false-positive rate stays at most alpha.
    one_sided = 1.0 - settings.alpha
    upper = est.upper_bound(one_sided)
    pass_low = fig.difference_lower_bound(one_sided)
    reduced = upper < 1.0 and est.ratio <= threshold
    non_inferior = pass_low > -settings.min_success_delta
    draft.reasons.insert(0, ratio_sentence(label, est, unit))
    _add_usage_reasons(figures, draft, skip=label)
    floor = points(-settings.min_success_delta)
    level = f"one-sided {one_sided:.0%}"
    if reduced and non_inferior:
        draft.reasons.insert(
            2,
            f"{label} fell significantly by at least {min_pct:g}% ({level} upper bound "
            f"{(upper - 1) * 100:+.1f}%) and the pass rate is non-inferior ({level} lower bound "
            f"{points(pass_low)} > {floor} pts)",
        )
        return "improvement", None
    if est.low > 1.0:
        # The goal's own metric got significantly worse: as much a regression for this
        # goal as a pass-rate drop is for any goal.
        draft.reasons.insert(2, f"{label} rose significantly, against the goal of reducing them")
        return "regression", None
    if est.low > threshold:
        draft.reasons.insert(
            2, f"{label} did not fall by the {min_pct:g}% minimum (the interval rules it out)"
        )
        return "no-difference", None
    need = []
    if not reduced:
        need.append(needed.for_ratio(est, threshold, settings.alpha, settings.power))
        draft.reasons.insert(2, f"a {label} reduction of {min_pct:g}% is neither shown nor ruled out")
    if not non_inferior:
        need.append(
            needed.for_non_inferiority(fig, settings.alpha, settings.power, settings.min_success_delta)
        )
        draft.reasons.insert(
            2,
            f"the pass rate is not shown non-inferior ({level} lower bound "
            f"{points(pass_low)} pts, must be above {floor})",
        )
    return "inconclusive", max(need, key=lambda more: (more.open_ended, more.samples))


def _add_usage_reasons(figures: ComparisonFigures, draft: _Draft, skip: str = "") -> None:
    for label, est, unit in (
        ("tokens", figures.tokens, ""),
        ("latency", figures.latency_ms, "ms"),
        ("cost", figures.cost_usd, "usd"),
    ):
        if est is not None and label != skip:
            draft.reasons.append(ratio_sentence(label, est, unit))
