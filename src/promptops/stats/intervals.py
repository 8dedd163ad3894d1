"""Confidence intervals for one pass rate.

Wilson's score interval rather than the textbook `p ± z·se`: it stays inside [0, 1] and keeps
close to its nominal coverage at the small sample sizes and extreme rates (95% pass) that eval
suites produce, where the Wald interval collapses to a point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


def z_for(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level (1.96 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


@dataclass(frozen=True)
class RateEstimate:
    """A pass rate with its Wilson interval; `rate` is None when nothing was measured."""

    successes: int
    n: int
    rate: float | None
    low: float
    high: float
    confidence: float


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for `successes` out of `n`; (0, 1) when n is 0. Counts may be
    fractional: an effective sample size (counts divided by a design effect)."""
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    z = z_for(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At p = 0 or 1 one bound is exactly 0 or 1; floating point would leave 1e-17 of noise.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def rate_estimate(successes: int, n: int, confidence: float = 0.95) -> RateEstimate:
    low, high = wilson_interval(successes, n, confidence)
    return RateEstimate(successes, n, successes / n if n else None, low, high, confidence)
