"""Repeats of a case are not independent samples: the paired test and interval work by case.

With `--repeat 3` a prompt that happens to suit one case passes it three times; counting the
three as independent evidence overstates it, and the false-positive rate climbs above alpha
when repeats are correlated (a model at low temperature answers a case the same way each
time). So the unit is the case:

- the test is a sign-flip (permutation) test over cases on x_c = candidate passes - base
  passes among the case's paired repeats. Under "no difference" each case's x_c is as likely
  to be +|x_c| as -|x_c|. With one repeat per case every x_c is -1, 0 or +1 and the test is
  exactly McNemar's exact test; with repeats it is computed exactly (subset sums of |x_c|),
  or, when that table would be large, with the normal approximation of the same sum.
- the interval is Newcombe's, widened by the design effect (variance of the mean difference
  over cases / variance as if samples were independent), Rao and Scott's (1992) adjustment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from promptops.stats.binomial import two_sided_sign_test

EXACT_TABLE_LIMIT = 1_000_000  # cases x sum of |x_c| cells of the exact sign-flip table


@dataclass(frozen=True)
class CaseDifferences:
    """Per case: candidate passes minus base passes (x), paired samples (k) and discordant
    samples (pairs where exactly one prompt passed), in the same order."""

    x: list[int]
    k: list[int]
    discordant: list[int]


def by_case(
    base: Sequence[bool | None], candidate: Sequence[bool | None], case_ids: Sequence[str]
) -> CaseDifferences:
    """Group paired samples by case; a pair where either side errored is left out. Without case
    ids every sample is its own case."""
    x: dict[object, int] = {}
    k: dict[object, int] = {}
    discordant: dict[object, int] = {}
    for i, (b, c) in enumerate(zip(base, candidate, strict=True)):
        if b is None or c is None:
            continue
        case = case_ids[i] if case_ids else i
        x[case] = x.get(case, 0) + int(bool(c)) - int(bool(b))
        k[case] = k.get(case, 0) + 1
        discordant[case] = discordant.get(case, 0) + (bool(b) != bool(c))
    return CaseDifferences(list(x.values()), list(k.values()), list(discordant.values()))


def sign_flip_p(x: Sequence[int]) -> float:
    """Two-sided p-value of sum(x) under independent random signs of each case's x_c."""
    sizes = [abs(v) for v in x if v]
    if not sizes:
        return 1.0
    if min(sizes) == max(sizes):  # one repeat per case, or all equal: the sign test itself
        return two_sided_sign_test(sum(1 for v in x if v > 0), len(sizes))
    total = sum(sizes)
    observed = abs(sum(x))
    if len(sizes) * total > EXACT_TABLE_LIMIT:
        z = (observed - 1) / math.sqrt(sum(s * s for s in sizes))  # lattice step 2: correct by 1
        return min(1.0, 2 * NormalDist().cdf(-z))
    # dist[j] = P(the cases given a + sign sum to j); sum(x) = 2 j - total.
    dist = [1.0] + [0.0] * total
    for size in sizes:
        dist = [0.5 * (a + b) for a, b in zip(dist, [0.0] * size + dist[:-size], strict=True)]
    threshold = (observed + total) // 2
    return min(1.0, 2 * math.fsum(dist[threshold:]))


def design_effect(diffs: CaseDifferences) -> float:
    """Variance of the mean paired difference estimated over cases / estimated as if every sample
    were independent; at least 1 (repeats never add evidence beyond independent samples)."""
    n, m = sum(diffs.k), len(diffs.k)
    if m < 2 or n <= m:
        return 1.0
    mean = sum(diffs.x) / n
    naive = (sum(diffs.discordant) / n - mean * mean) / n
    clustered = m / (m - 1) * sum((x - mean * k) ** 2 for x, k in zip(diffs.x, diffs.k, strict=True)) / n**2
    return max(1.0, clustered / naive) if naive > 0 else 1.0
