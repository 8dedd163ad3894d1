"""Always-valid confidence sequences for a difference of two means (rates included).

The interval the mixture SPRT of `promptops.stats.sequential` implies: every difference
theta0 whose mixture likelihood ratio stays below 1/alpha. With the normal mixture
N(0, tau^2) over the difference and V the plug-in variance of the observed difference,

    |d - theta0| < r,   r^2 = 2 V (V + tau^2) / tau^2 * (log(1/alpha) + log((V + tau^2) / V) / 2)

holds for all sample sizes at once with probability at least 1 - alpha (Johari, Pekelis
and Walsh 2017; Howard et al. 2021), so a rollout may be checked after every scheduled run
and still abort a good candidate at most alpha of the time. `tau` is the scale of effects
expected: it tunes where the sequence is tightest, not its validity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def mixture_radius(variance: float, tau: float, alpha: float) -> float:
    """Half-width of the always-valid interval for a difference with plug-in `variance`."""
    if variance <= 0:
        return 0.0
    tau2 = tau * tau
    log_term = math.log(1 / alpha) + 0.5 * math.log((variance + tau2) / variance)
    return math.sqrt(2 * variance * (variance + tau2) / tau2 * log_term)


@dataclass
class RunningMoments:
    """Count, mean and variance of a stream (Welford), in constant memory."""

    n: int = 0
    mean: float = 0.0
    _m2: float = 0.0

    def add(self, value: float) -> None:
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (value - self.mean)

    @property
    def variance(self) -> float:
        return self._m2 / (self.n - 1) if self.n > 1 else 0.0


@dataclass(frozen=True)
class DifferenceSequence:
    """candidate - stable with its always-valid interval, as of the last look."""

    difference: float
    low: float
    high: float
    stable_n: int
    candidate_n: int
    stable_mean: float
    candidate_mean: float


def difference_sequence(
    stable: RunningMoments, candidate: RunningMoments, tau: float, alpha: float, *, binary: bool = False
) -> DifferenceSequence:
    """The always-valid interval for `candidate.mean - stable.mean`.

    For rates (`binary`), the variance uses (successes + 0.5) / (n + 1) so an arm with no
    failures yet still has a usable, slightly conservative variance.
    """
    variance = _arm_variance(stable, binary) / max(stable.n, 1) + _arm_variance(candidate, binary) / max(
        candidate.n, 1
    )
    diff = candidate.mean - stable.mean
    radius = mixture_radius(variance, tau, alpha) if stable.n and candidate.n else math.inf
    return DifferenceSequence(
        diff, diff - radius, diff + radius, stable.n, candidate.n, stable.mean, candidate.mean
    )


def _arm_variance(arm: RunningMoments, binary: bool) -> float:
    if binary:
        p = (arm.mean * arm.n + 0.5) / (arm.n + 1)
        return p * (1 - p)
    return arm.variance
