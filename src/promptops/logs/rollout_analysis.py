"""The analysis at one step of a canary rollout: wait, advance, promote or abort.

Production logs stream past once; per arm (stable, candidate) the running count, mean and
variance of each metric are kept. Each metric's candidate-minus-stable difference gets an
always-valid confidence sequence (`promptops.stats.confidence_sequence`), so the bot can
check as often as its schedule runs without raising the chance of aborting a good
candidate above alpha. A metric regresses when the whole interval is worse than the
stable arm by more than the configured margin; one regression aborts (or pauses) the
rollout at once, even before the step's minimum sample, as soon as both arms have enough
calls for the variance to be usable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from promptops.logs.records import LogRecord
from promptops.repo.rollouts import HIGHER_IS_BETTER, RolloutAnalysis
from promptops.stats.confidence_sequence import RunningMoments, difference_sequence
from promptops.stats.figures import json_safe
from promptops.stats.sequential import DEFAULT_TAU

EARLY_ABORT_FLOOR = 100  # calls per arm before a regression may abort ahead of min_samples
RELATIVE_TAU = 0.1  # latency and tokens: effects of about 10% of the stable mean


@dataclass
class ArmTally:
    """Running figures of one arm at this step (constant memory however long the logs)."""

    success: RunningMoments = field(default_factory=RunningMoments)
    latency_ms: RunningMoments = field(default_factory=RunningMoments)
    total_tokens: RunningMoments = field(default_factory=RunningMoments)
    score: RunningMoments = field(default_factory=RunningMoments)

    def add(self, record: LogRecord) -> None:
        self.success.add(1.0 if record.status == "success" else 0.0)
        self.latency_ms.add(record.latency_ms)
        self.total_tokens.add(float(record.input_tokens + record.output_tokens))
        if record.score is not None:
            self.score.add(record.score)

    @classmethod
    def from_counts(cls, n: int, successes: int) -> ArmTally:
        """An arm known only by its success count (simulations of many rollouts)."""
        p = successes / n if n else 0.0
        return cls(success=RunningMoments(n, p, n * p * (1 - p)))

    def moments(self, metric: str) -> RunningMoments:
        return self.success if metric == "success_rate" else getattr(self, metric)

    @property
    def n(self) -> int:
        return self.success.n


@dataclass(frozen=True)
class MetricCheck:
    """One metric at this step: both means, the difference and its always-valid interval."""

    metric: str
    stable_mean: float | None
    candidate_mean: float | None
    difference: float | None
    low: float | None
    high: float | None
    margin: float
    samples: tuple[int, int]  # (stable, candidate) calls that carry this metric
    regression: bool


@dataclass(frozen=True)
class RolloutCheck:
    """Everything `promptops rollout check` prints; `to_dict()` for `--json`."""

    prompt_id: str
    outcome: str  # waiting | advance | promote | abort | pause | stopped
    reasons: list[str]
    weight: float
    next_weight: float | None
    since: str | None
    stable_version: str
    candidate_version: str
    stable_n: int
    candidate_n: int
    min_samples: int
    calls_needed: int  # more production calls at this weight before a decision (0: none)
    alpha: float
    metrics: list[MetricCheck]

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


def analyse_rollout(
    records: Iterable[LogRecord],
    *,
    prompt_id: str,
    stable_version: str,
    candidate_version: str,
    since: datetime | None,
    weight: float,
    next_weight: float | None,
    analysis: RolloutAnalysis,
) -> RolloutCheck:
    """Tally the two arms of `prompt_id` since the step began and decide."""
    arms = {stable_version: ArmTally(), candidate_version: ArmTally()}
    for record in records:
        if record.prompt_id != prompt_id or (since is not None and record.timestamp < since):
            continue
        arm = arms.get(record.version_id)
        if arm is not None:
            arm.add(record)
    stable, candidate = arms[stable_version], arms[candidate_version]
    outcome, reasons, needed, checks = decide_step(stable, candidate, weight, next_weight, analysis)
    return RolloutCheck(
        prompt_id=prompt_id,
        outcome=outcome,
        reasons=reasons,
        weight=weight,
        next_weight=next_weight,
        since=since.isoformat() if since else None,
        stable_version=stable_version,
        candidate_version=candidate_version,
        stable_n=stable.n,
        candidate_n=candidate.n,
        min_samples=analysis.min_samples,
        calls_needed=needed,
        alpha=analysis.alpha,
        metrics=checks,
    )


def decide_step(
    stable: ArmTally, candidate: ArmTally, weight: float, next_weight: float | None, analysis: RolloutAnalysis
) -> tuple[str, list[str], int, list[MetricCheck]]:
    """(outcome, reasons, calls still needed, per-metric checks) for the step's tallies."""
    checks = [_check(metric, stable, candidate, analysis) for metric in analysis.metrics]
    outcome, reasons, needed = _decide(weight, next_weight, stable, candidate, checks, analysis)
    return outcome, reasons, needed, checks


def _check(metric: str, stable: ArmTally, candidate: ArmTally, analysis: RolloutAnalysis) -> MetricCheck:
    s, c = stable.moments(metric), candidate.moments(metric)
    margin = analysis.margin(metric).absolute(s.mean) if s.n else 0.0
    if s.n < 2 or c.n < 2:
        return MetricCheck(metric, _mean(s), _mean(c), None, None, None, margin, (s.n, c.n), False)
    binary = metric == "success_rate"
    tau = DEFAULT_TAU if metric in HIGHER_IS_BETTER else max(RELATIVE_TAU * abs(s.mean), 1e-9)
    seq = difference_sequence(s, c, tau, analysis.alpha, binary=binary)
    floor = min(EARLY_ABORT_FLOOR, analysis.min_samples)
    enough = s.n >= floor and c.n >= floor
    # Worse is lower for rates and scores (the whole interval below -margin), higher for
    # latency and tokens (the whole interval above +margin).
    worse_beyond_margin = seq.high < -margin if metric in HIGHER_IS_BETTER else seq.low > margin
    regression = enough and worse_beyond_margin
    return MetricCheck(
        metric, s.mean, c.mean, seq.difference, seq.low, seq.high, margin, (s.n, c.n), regression
    )


def _decide(
    weight: float,
    next_weight: float | None,
    stable: ArmTally,
    candidate: ArmTally,
    checks: list[MetricCheck],
    analysis: RolloutAnalysis,
) -> tuple[str, list[str], int]:
    if weight <= 0:
        return "stopped", ["the rollout is stopped (weight 0): the stable prompt serves all traffic"], 0
    regressions = [c for c in checks if c.regression]
    if regressions:
        return "abort", [_regression_sentence(c) for c in regressions], 0
    minimum = analysis.min_samples
    if weight >= 100:  # the stable arm gets no traffic: a soak period on the candidate alone
        if candidate.n < minimum:
            needed = minimum - candidate.n
            return "waiting", [f"{candidate.n} of {minimum} candidate calls at 100% before promoting"], needed
        return "promote", [f"{candidate.n} calls on the candidate at 100%: make it the stable prompt"], 0
    if stable.n < minimum or candidate.n < minimum:
        needed = _calls_needed(weight, stable.n, candidate.n, minimum)
        return (
            "waiting",
            [
                f"{candidate.n} candidate and {stable.n} stable calls of {minimum} each at {weight:g}%; "
                f"about {needed:,} more calls needed at this traffic"
            ],
            needed,
        )
    step = "promote" if next_weight is None or next_weight >= 100 else "advance"
    target = (
        "make the candidate the stable prompt" if step == "promote" else f"raise traffic to {next_weight:g}%"
    )
    metrics = ", ".join(c.metric for c in checks)
    return step, [f"no regression on {metrics} after {minimum} calls per arm: {target}"], 0


def _calls_needed(weight: float, stable_n: int, candidate_n: int, minimum: int) -> int:
    """Production calls (both arms together) until each arm has `minimum`, at this weight."""
    share = weight / 100.0
    for_candidate = (minimum - candidate_n) / share if candidate_n < minimum else 0.0
    for_stable = (minimum - stable_n) / (1 - share) if stable_n < minimum else 0.0
    return math.ceil(max(for_candidate, for_stable))


def _regression_sentence(check: MetricCheck) -> str:
    return (
        f"{check.metric} regressed: candidate {fmt_figure(check.candidate_mean)} "
        f"vs stable {fmt_figure(check.stable_mean)} (difference {fmt_figure(check.difference)}, "
        f"always-valid interval {fmt_figure(check.low)} to {fmt_figure(check.high)}, "
        f"allowed {check.margin:g}) on {check.samples[1]:,} and {check.samples[0]:,} calls"
    )


def _mean(m: RunningMoments) -> float | None:
    return m.mean if m.n else None


def fmt_figure(value: float | None) -> str:
    """A figure of a rollout check for people: four significant digits, '-' when unknown."""
    return "-" if value is None else f"{value:.4g}"
