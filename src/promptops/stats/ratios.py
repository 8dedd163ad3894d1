"""Paired ratio of means (tokens, latency, cost) with a percentile bootstrap interval.

Token and latency distributions are skewed and their ratio has no simple closed-form interval;
resampling whole pairs keeps the pairing (a long case is long for both prompts). The seed is
fixed so the same results always print the same interval in a PR comment.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20240917


@dataclass(frozen=True)
class RatioEstimate:
    """mean(candidate) / mean(base) over paired samples, with a bootstrap interval."""

    ratio: float
    low: float
    high: float
    base_mean: float
    candidate_mean: float
    n: int
    confidence: float
    resamples: int

    @property
    def change_pct(self) -> float:
        """Signed change of the mean in percent (-12.0 means 12% lower)."""
        return (self.ratio - 1.0) * 100.0


def ratio_of_means(
    base: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> RatioEstimate | None:
    """The paired ratio of means, or None when it is undefined (no pairs, base mean 0)."""
    if len(base) != len(candidate):
        raise ValueError(f"paired samples differ in length: {len(base)} vs {len(candidate)}")
    n = len(base)
    b, c = [float(x) for x in base], [float(x) for x in candidate]
    sum_b, sum_c = math.fsum(b), math.fsum(c)
    if n == 0 or sum_b <= 0:
        return None
    low, high = _bootstrap_interval(b, c, confidence, resamples, seed)
    return RatioEstimate(sum_c / sum_b, low, high, sum_b / n, sum_c / n, n, confidence, resamples)


def _bootstrap_interval(
    b: list[float], c: list[float], confidence: float, resamples: int, seed: int
) -> tuple[float, float]:
    rng = random.Random(seed)
    indices = range(len(b))
    get_b, get_c = b.__getitem__, c.__getitem__
    ratios = []
    for _ in range(resamples):
        pick = rng.choices(indices, k=len(b))
        denominator = sum(map(get_b, pick))
        if denominator > 0:
            ratios.append(sum(map(get_c, pick)) / denominator)
    if not ratios:
        return 0.0, math.inf
    ratios.sort()
    tail = (1.0 - confidence) / 2.0
    return _quantile(ratios, tail), _quantile(ratios, 1.0 - tail)


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated quantile (numpy's default method)."""
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
