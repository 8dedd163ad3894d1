"""Quantiles of Student's t distribution, standard library only.

The ratio intervals are t intervals on per-case log ratios, so at n = 10 they need
t(0.975, 9) = 2.262, not the normal 1.96 (which alone costs three points of coverage).
For df <= 100 the quantile is found by bisection on the exact finite series of the t
distribution for integer degrees of freedom (Abramowitz and Stegun 26.7.3 and 26.7.4);
above that the Cornish-Fisher expansion in 1/df is accurate to better than 1e-9.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

_EXACT_UP_TO_DF = 100


def t_central_probability(t: float, df: int) -> float:
    """P(|T| <= t) for T ~ Student t with integer `df` >= 1 and t >= 0."""
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    odd = df % 2
    # Odd df: (2/pi)(theta + sin cos (1 + 2/3 cos^2 + 2*4/(3*5) cos^4 + ...)) with (df-1)/2 terms
    # (none for df = 1); even df: sin (1 + 1/2 cos^2 + 1*3/(2*4) cos^4 + ...) with df/2 terms.
    term = total = 0.0 if df == 1 else 1.0
    for j in range(2, df - 1, 2):
        term *= cos2 * (j / (j + 1) if odd else (j - 1) / j)
        total += term
    if odd:
        return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)
    return math.sin(theta) * total


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: int) -> float:
    """The p-quantile (0.5 < p < 1) of Student's t with integer `df` >= 1."""
    if not 0.5 < p < 1.0 or df < 1:
        raise ValueError(f"need 0.5 < p < 1 and df >= 1, got p={p}, df={df}")
    if df > _EXACT_UP_TO_DF:
        return _cornish_fisher(p, df)
    target = 2 * p - 1
    low, high = 0.0, 1.0
    while t_central_probability(high, df) < target:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        if t_central_probability(mid, df) < target:
            low = mid
        else:
            high = mid
    return high


def _cornish_fisher(p: float, df: int) -> float:
    z = NormalDist().inv_cdf(p)
    z2 = z * z
    g1 = z * (z2 + 1) / 4
    g2 = z * ((5 * z2 + 16) * z2 + 3) / 96
    g3 = z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / 384
    g4 = z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / 92160
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
