"""Comparison of two independent pass rates (production logs: different requests per version).

The interval is Newcombe's hybrid score interval (method 10 of Newcombe 1998, Statistics in
Medicine 17:873-890): square-and-add of the two Wilson intervals, with good coverage where the
Wald interval fails (rates near 0 or 1, small n). The test is the pooled two-proportion z-test,
valid for a single look at the data; repeated looks need `sequential`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from promptops.stats.intervals import wilson_interval


@dataclass(frozen=True)
class TwoProportions:
    """Candidate minus base success rate from independent samples."""

    base_successes: int
    base_n: int
    candidate_successes: int
    candidate_n: int
    diff: float
    low: float
    high: float
    z: float
    p_value: float
    confidence: float


def two_proportion_z(
    base_successes: int, base_n: int, cand_successes: int, cand_n: int
) -> tuple[float, float]:
    """Pooled two-proportion z statistic and its two-sided p-value; (0, 1) when undefined."""
    if base_n == 0 or cand_n == 0:
        return 0.0, 1.0
    pooled = (base_successes + cand_successes) / (base_n + cand_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / base_n + 1 / cand_n))
    if se == 0:
        return 0.0, 1.0
    z = (cand_successes / cand_n - base_successes / base_n) / se
    return z, 2.0 * NormalDist().cdf(-abs(z))


def compare_proportions(
    base_successes: int, base_n: int, cand_successes: int, cand_n: int, confidence: float = 0.95
) -> TwoProportions:
    """Difference of two independent proportions with Newcombe's hybrid score interval."""
    p1 = cand_successes / cand_n if cand_n else 0.0
    p2 = base_successes / base_n if base_n else 0.0
    l1, u1 = wilson_interval(cand_successes, cand_n, confidence)
    l2, u2 = wilson_interval(base_successes, base_n, confidence)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    z, p = two_proportion_z(base_successes, base_n, cand_successes, cand_n)
    return TwoProportions(
        base_successes, base_n, cand_successes, cand_n, diff, max(-1.0, low), min(1.0, high), z, p, confidence
    )
