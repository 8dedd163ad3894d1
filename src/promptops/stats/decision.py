"""The decision: is the candidate prompt better than the base for the goal being optimised?

Rules (alpha, min_success_delta and the minimum reductions come from `decision.*` settings):

- Any significant pass-rate drop (McNemar p < alpha, candidate lower) is a regression,
  whatever the goal, on all cases and on the tagged cases of a clarity/safety goal.
- accuracy: improvement when the pass-rate gain is significant (McNemar p < alpha).
- clarity, safety: as accuracy, on the cases tagged `clarity` / `safety` (all cases, with a
  reason saying so, when no case carries the tag).
- conciseness (tokens) / speed (latency): improvement when the metric falls significantly (the
  upper bound of its ratio interval below 1) by at least the configured minimum (the point
  estimate), AND the pass rate is non-inferior (lower bound of the difference interval above
  -min_success_delta).
- no-difference when the intervals rule out an effect of the size that matters; otherwise
  inconclusive, with about how many more samples would settle it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

from promptops.config import GOALS
from promptops.stats.arms import Arm
from promptops.stats.figures import ComparisonFigures, PassFigures, measure_pass, measure_ratio
from promptops.stats.power import DEFAULT_POWER, plan_paired
from promptops.stats.ratios import DEFAULT_RESAMPLES, DEFAULT_SEED, RatioEstimate
from promptops.stats.wording import pass_sentence, points, ratio_sentence

Outcome = Literal["improvement", "regression", "no-difference", "inconclusive"]
TAGGED_GOALS = ("clarity", "safety")


@dataclass(frozen=True)
class DecisionSettings:
    """The `decision.*` settings, plus the bootstrap's resamples and seed."""

    alpha: float = 0.05
    min_success_delta: float = 0.05
    min_token_reduction_pct: float = 10.0
    min_latency_reduction_pct: float = 5.0
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
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

    @property
    def headline(self) -> str:
        """`improvement`, or `inconclusive (need about 120 more samples)`."""
        if self.outcome == "inconclusive" and self.needed_samples:
            return f"inconclusive (need about {self.needed_samples:,} more samples)"
        return self.outcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "headline": self.headline,
            "goal": self.goal,
            "needed_samples": self.needed_samples,
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
    outcome, needed = _decide(figures, goal, settings, draft)
    return Verdict(outcome, goal, draft.reasons, figures, needed)


def _measure(
    base: Arm, candidate: Arm, goal: str, settings: DecisionSettings, draft: _Draft
) -> ComparisonFigures:
    everything = range(len(base.passed))
    conf = settings.confidence
    focus = None
    if goal in TAGGED_GOALS:
        tagged = [i for i in everything if base.tags and goal in base.tags[i]]
        if tagged:
            focus = measure_pass(base, candidate, tagged, f"cases tagged '{goal}'", conf)
        else:
            draft.reasons.append(
                f"no case is tagged '{goal}', so the {goal} goal is judged on all cases' pass rate"
            )
    both = [i for i in everything if base.passed[i] is not None and candidate.passed[i] is not None]
    boot = {"confidence": conf, "resamples": settings.resamples, "seed": settings.seed}
    return ComparisonFigures(
        alpha=settings.alpha,
        all_cases=measure_pass(base, candidate, everything, "all cases", conf),
        focus=focus,
        tokens=measure_ratio(base.tokens, candidate.tokens, both, **boot),
        latency_ms=measure_ratio(base.latency_ms, candidate.latency_ms, both, **boot),
        cost_usd=measure_ratio(base.cost_usd, candidate.cost_usd, both, **boot),
    )


def _decide(
    figures: ComparisonFigures, goal: str, settings: DecisionSettings, draft: _Draft
) -> tuple[Outcome, int | None]:
    overall = figures.all_cases
    if overall.errors_excluded:
        draft.reasons.append(f"{overall.errors_excluded} sample pair(s) left out because a run errored")
    if overall.samples == 0:
        draft.reasons.append("no sample ran without error in both arms, so nothing can be compared")
        return "inconclusive", None
    scopes = [overall] + ([figures.focus] if figures.focus else [])
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
) -> tuple[Outcome, int | None]:
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
    more = _more_samples_for_pass(fig, settings)
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
) -> tuple[Outcome, int | None]:
    fig = figures.all_cases
    draft.reasons.insert(0, pass_sentence(fig))
    if est is None:
        draft.reasons.insert(0, f"{label} were not measured for both prompts, so the goal cannot be judged")
        return "inconclusive", None
    threshold = 1.0 - min_pct / 100.0
    reduced = est.high < 1.0 and est.ratio <= threshold
    non_inferior = fig.difference.low > -settings.min_success_delta
    draft.reasons.insert(0, ratio_sentence(label, est, unit))
    _add_usage_reasons(figures, draft, skip=label)
    floor = points(-settings.min_success_delta)
    if reduced and non_inferior:
        draft.reasons.insert(
            2,
            f"{label} fell significantly by at least {min_pct:g}% and the pass rate is "
            f"non-inferior (CI lower bound {points(fig.difference.low)} > {floor} pts)",
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
        need.append(_samples_for_ratio(est, threshold, settings))
        draft.reasons.insert(2, f"a {label} reduction of {min_pct:g}% is neither shown nor ruled out")
    if not non_inferior:
        need.append(_samples_for_non_inferiority(fig, settings))
        draft.reasons.insert(
            2,
            f"the pass rate is not shown non-inferior (CI lower bound "
            f"{points(fig.difference.low)} pts, must be above {floor})",
        )
    return "inconclusive", max(need)


def _add_usage_reasons(figures: ComparisonFigures, draft: _Draft, skip: str = "") -> None:
    for label, est, unit in (
        ("tokens", figures.tokens, ""),
        ("latency", figures.latency_ms, "ms"),
        ("cost", figures.cost_usd, "usd"),
    ):
        if est is not None and label != skip:
            draft.reasons.append(ratio_sentence(label, est, unit))


def _z_sum(settings: DecisionSettings) -> float:
    return NormalDist().inv_cdf(1 - settings.alpha / 2) + NormalDist().inv_cdf(settings.power)


def _more_samples_for_pass(fig: PassFigures, settings: DecisionSettings) -> int:
    """More samples so that a gain of max(observed, min_success_delta) is found with 80% power,
    or, when the observed change is small, so the interval fits inside +/- min_success_delta."""
    delta, diff, n = settings.min_success_delta, abs(fig.difference.diff), fig.samples
    discordance = fig.counts.discordant / n if fig.counts.discordant else None
    base_rate = fig.base.rate or 0.0
    target = plan_paired(
        max(diff, delta),
        base_rate,
        discordance=discordance,
        alpha=settings.alpha,
        power=settings.power,
        repeats=fig.repeats or 1,
    ).samples
    if diff < delta:
        half_width = (fig.difference.high - fig.difference.low) / 2
        target = max(target, math.ceil(n * (half_width / (delta - diff)) ** 2))
    return max(target - n, 1)


def _samples_for_ratio(est: RatioEstimate, threshold: float, settings: DecisionSettings) -> int:
    """Scale n so a log-ratio change of the larger of observed and minimum is detected with power."""
    z = NormalDist().inv_cdf(1 - settings.alpha / 2)
    if est.low <= 0:
        return est.n
    se = (math.log(est.high) - math.log(est.low)) / (2 * z)
    effect = max(abs(math.log(est.ratio)), abs(math.log(threshold)))
    return max(math.ceil(est.n * (_z_sum(settings) * se / effect) ** 2) - est.n, 1)


def _samples_for_non_inferiority(fig: PassFigures, settings: DecisionSettings) -> int:
    """Scale n until the difference interval's lower bound would clear -min_success_delta."""
    z = NormalDist().inv_cdf(1 - settings.alpha / 2)
    se = (fig.difference.high - fig.difference.low) / (2 * z)
    margin = fig.difference.diff + settings.min_success_delta
    if margin <= 0 or se <= 0:
        return fig.samples
    return max(math.ceil(fig.samples * (_z_sum(settings) * se / margin) ** 2) - fig.samples, 1)
