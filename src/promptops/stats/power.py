"""How many paired samples a comparison needs before it can see a given pass-rate gain.

Connor's (1987) sample size for McNemar's test: with psi the probability that a pair is
discordant and delta the true difference of pass rates,

    n = (z_{1-alpha/2} sqrt(psi) + z_{power} sqrt(psi - delta^2))^2 / delta^2

psi is what pairing buys: two similar prompts disagree on few cases, so psi is small and far
fewer samples are needed than for independent groups. When it has not been observed, it is
taken as if the two prompts failed independently (the conservative end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

DEFAULT_POWER = 0.8


@dataclass(frozen=True)
class SampleSizePlan:
    """Paired samples needed, and how they split into cases x repeats."""

    samples: int
    cases: int
    repeats: int
    gain: float
    alpha: float
    power: float


def independent_discordance(base_rate: float, gain: float) -> float:
    """P(exactly one prompt passes) if they passed independently at base_rate and base_rate + gain."""
    cand_rate = min(1.0, max(0.0, base_rate + gain))
    return base_rate * (1 - cand_rate) + cand_rate * (1 - base_rate)


def paired_samples_needed(
    gain: float, discordance: float, alpha: float = 0.05, power: float = DEFAULT_POWER
) -> int:
    """Paired samples for McNemar's test to detect `gain` (a fraction) with `power` at `alpha`."""
    delta = abs(gain)
    if delta <= 0:
        raise ValueError("the gain to detect must be non-zero")
    psi = min(1.0, max(discordance, delta))  # at least |delta| pairs must disagree
    z_alpha = NormalDist().inv_cdf(1 - alpha / 2)
    z_power = NormalDist().inv_cdf(power)
    root = z_alpha * math.sqrt(psi) + z_power * math.sqrt(max(psi - delta * delta, 0.0))
    return max(1, math.ceil(root * root / (delta * delta)))


def plan_paired(
    gain: float,
    base_rate: float,
    *,
    discordance: float | None = None,
    repeats: int = 1,
    alpha: float = 0.05,
    power: float = DEFAULT_POWER,
) -> SampleSizePlan:
    """Cases x repeats needed; `discordance` observed so far if known, else assumed independent."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    psi = discordance if discordance is not None else independent_discordance(base_rate, gain)
    samples = paired_samples_needed(gain, psi, alpha, power)
    cases = math.ceil(samples / repeats)
    return SampleSizePlan(cases * repeats, cases, repeats, gain, alpha, power)
