"""Exact binomial tail probabilities, computed with integers so they are exact for any n."""

from __future__ import annotations

import math


def two_sided_sign_test(k: int, n: int) -> float:
    """Two-sided exact p-value of `k` successes in `n` fair coin flips (p = 0.5).

    The null distribution is symmetric, so doubling the smaller tail equals the
    "sum of outcomes no more likely than the one observed" definition scipy uses.
    """
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got {k} of {n}")
    if n == 0:
        return 1.0
    smaller = min(k, n - k)
    tail = sum(math.comb(n, i) for i in range(smaller + 1))
    # int / int is correctly rounded in Python even when 2**n overflows a float.
    return min(1.0, 2 * tail / 2**n)
