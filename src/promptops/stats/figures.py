"""The numbers behind a verdict, measured on a chosen subset of paired samples."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from promptops.stats.arms import Arm
from promptops.stats.clustered import by_case, design_effect, sign_flip_p
from promptops.stats.intervals import RateEstimate, rate_estimate
from promptops.stats.paired import (
    DifferenceEstimate,
    PairedCounts,
    paired_counts,
    paired_difference_interval,
)
from promptops.stats.ratios import RatioEstimate, paired_log_ratio


@dataclass(frozen=True)
class PassFigures:
    """Pass rates of both arms on one scope of samples, and their paired comparison."""

    scope: str  # "all cases" or "cases tagged 'clarity'"
    samples: int  # pairs where both arms produced a result
    cases: int | None  # distinct case ids among them, when the arms carry case ids
    errors_excluded: int  # pairs left out because either arm errored
    base: RateEstimate
    candidate: RateEstimate
    counts: PairedCounts
    difference: DifferenceEstimate
    mcnemar_p: float  # the paired test over cases: McNemar's exact test at one repeat per case
    design_effect: float = 1.0  # variance inflation from correlated repeats of one case

    @property
    def repeats(self) -> int | None:
        return round(self.samples / self.cases) if self.cases else None

    def difference_lower_bound(self, confidence: float) -> float:
        """One-sided lower confidence bound of the difference (the two-sided interval at
        2 x confidence - 1 has it as its lower end), for a non-inferiority test at 1 - confidence."""
        return paired_difference_interval(self.counts, 2 * confidence - 1, self.design_effect).low


@dataclass(frozen=True)
class ComparisonFigures:
    """Everything `compare` measured; `focus` is the tagged subset for clarity/safety goals,
    `tagged` the cases tagged safety or clarity (checked for a significant drop, any goal)."""

    alpha: float
    all_cases: PassFigures
    focus: PassFigures | None
    tokens: RatioEstimate | None
    latency_ms: RatioEstimate | None
    cost_usd: RatioEstimate | None
    tagged: tuple[PassFigures, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


def json_safe(value: Any) -> Any:
    """Replace inf/NaN (not valid JSON) with None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def measure_pass(
    base: Arm, candidate: Arm, indices: Sequence[int], scope: str, confidence: float
) -> PassFigures:
    """Pass figures on `indices`; the test and interval treat the repeats of a case as one unit
    (`promptops.stats.clustered`), which is McNemar and Newcombe exactly at one repeat."""
    b = [base.passed[i] for i in indices]
    c = [candidate.passed[i] for i in indices]
    ids = [base.case_ids[i] for i in indices] if base.case_ids else []
    counts = paired_counts(b, c)
    diffs = by_case(b, c, ids)
    deff = design_effect(diffs)
    return PassFigures(
        scope=scope,
        samples=counts.n,
        cases=len(diffs.k) if ids else None,
        errors_excluded=len(indices) - counts.n,
        base=rate_estimate(counts.base_passes, counts.n, confidence),
        candidate=rate_estimate(counts.candidate_passes, counts.n, confidence),
        counts=counts,
        difference=paired_difference_interval(counts, confidence, deff),
        mcnemar_p=sign_flip_p(diffs.x),
        design_effect=deff,
    )


def measure_ratio(
    base: Sequence[float], candidate: Sequence[float], indices: Sequence[int], *, confidence: float
) -> RatioEstimate | None:
    """Paired change over `indices`, None when the metric was not recorded for both arms."""
    if not base or not candidate:
        return None
    return paired_log_ratio(
        [base[i] for i in indices], [candidate[i] for i in indices], confidence=confidence
    )
