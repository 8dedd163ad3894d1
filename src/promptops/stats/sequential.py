"""An always-valid sequential test for the difference of two success rates.

A fixed-sample test checked after every batch of log lines will, sooner or later, cross its
threshold by chance: peeking inflates the false-positive rate far above alpha. The mixture
sequential probability ratio test (mSPRT) of Johari, Pekelis and Walsh ("Always valid
inference", 2017; Optimizely's Stats Engine) avoids that: it mixes the likelihood ratio over a
normal prior N(0, tau^2) on the true difference, and the running minimum of 1/Lambda is a
p-value that stays valid however often it is looked at.

For two binomial streams we use the normal approximation of that paper: with
theta = p_cand - p_base and V = p_b(1-p_b)/n_b + p_c(1-p_c)/n_c,

    Lambda = sqrt(V / (V + tau^2)) * exp(theta^2 * tau^2 / (2 V (V + tau^2))).

tau is the scale of effects we expect to see; 0.05 (five points) suits prompt changes. Looks are
taken only once each arm has `min_per_arm` observations, so the plug-in variance is usable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DEFAULT_TAU = 0.05
DEFAULT_MIN_PER_ARM = 100


@dataclass(frozen=True)
class SequentialState:
    """What the test knows after the last look."""

    base_n: int
    base_successes: int
    candidate_n: int
    candidate_successes: int
    likelihood_ratio: float
    p_value: float  # always-valid: the running minimum of 1 / Lambda over all looks
    looks: int


def mixture_likelihood_ratio(
    base_successes: int, base_n: int, cand_successes: int, cand_n: int, tau: float = DEFAULT_TAU
) -> float:
    """Lambda of the normal-mixture SPRT; 1.0 (no evidence) while the variance is degenerate."""
    if base_n == 0 or cand_n == 0:
        return 1.0
    pb, pc = base_successes / base_n, cand_successes / cand_n
    variance = pb * (1 - pb) / base_n + pc * (1 - pc) / cand_n
    if variance <= 0:
        return 1.0
    theta = pc - pb
    tau2 = tau * tau
    exponent = theta * theta * tau2 / (2 * variance * (variance + tau2))
    # Cap the exponent: beyond ~700 exp() overflows, and the p-value is 0 to float precision anyway.
    return math.sqrt(variance / (variance + tau2)) * math.exp(min(exponent, 700.0))


@dataclass
class SequentialTest:
    """Feed it counts as they grow; `p_value` may be checked after every update."""

    tau: float = DEFAULT_TAU
    min_per_arm: int = DEFAULT_MIN_PER_ARM
    _p: float = field(default=1.0, init=False)
    _lr: float = field(default=1.0, init=False)
    _looks: int = field(default=0, init=False)
    _counts: tuple[int, int, int, int] = field(default=(0, 0, 0, 0), init=False)

    def look(self, base_successes: int, base_n: int, cand_successes: int, cand_n: int) -> float:
        """Take a look at the cumulative counts; returns the always-valid p-value so far."""
        self._counts = (base_n, base_successes, cand_n, cand_successes)
        if base_n < self.min_per_arm or cand_n < self.min_per_arm:
            return self._p
        self._looks += 1
        self._lr = mixture_likelihood_ratio(base_successes, base_n, cand_successes, cand_n, self.tau)
        self._p = min(self._p, 1.0 / self._lr)
        return self._p

    @property
    def p_value(self) -> float:
        return self._p

    def state(self) -> SequentialState:
        base_n, base_s, cand_n, cand_s = self._counts
        return SequentialState(base_n, base_s, cand_n, cand_s, self._lr, self._p, self._looks)
