"""Paired comparison of two prompts run on the same (case, repeat) samples.

Both prompts answer the same cases, so most of the variation (hard cases fail for both) cancels.
Only the discordant pairs, where exactly one prompt passed, carry information about which is
better; the exact McNemar test is the two-sided sign test on those pairs, and it is exact at any
sample size (no chi-square approximation to go wrong with 3 discordant pairs).

The interval for the difference of pass rates is Newcombe's method 10 for paired data
(Newcombe 1998, Statistics in Medicine 17:2635-2650): Wilson intervals for both marginal pass
rates combined by "square-and-add" with a correction for their correlation. We use it rather
than a paired bootstrap because it is closed-form (no seed, instant, identical everywhere),
stays inside [-1, 1], and keeps near-nominal coverage with few discordant pairs, where a
percentile bootstrap is too narrow (with zero discordant pairs it would give the point [0, 0]).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from promptops.stats.binomial import two_sided_sign_test
from promptops.stats.intervals import wilson_interval


@dataclass(frozen=True)
class PairedCounts:
    """The 2x2 table of paired outcomes; pairs where either side errored are left out."""

    both_pass: int
    both_fail: int
    only_base: int  # base passed, candidate failed
    only_candidate: int  # candidate passed, base failed

    @property
    def n(self) -> int:
        return self.both_pass + self.both_fail + self.only_base + self.only_candidate

    @property
    def discordant(self) -> int:
        return self.only_base + self.only_candidate

    @property
    def base_passes(self) -> int:
        return self.both_pass + self.only_base

    @property
    def candidate_passes(self) -> int:
        return self.both_pass + self.only_candidate


@dataclass(frozen=True)
class DifferenceEstimate:
    """Candidate pass rate minus base pass rate, with its interval (fractions, not points)."""

    diff: float
    low: float
    high: float
    confidence: float
    method: str


def paired_counts(base: Sequence[bool | None], candidate: Sequence[bool | None]) -> PairedCounts:
    """Count the 2x2 table; a pair where either result is None (an error) is excluded."""
    if len(base) != len(candidate):
        raise ValueError(f"paired samples differ in length: {len(base)} vs {len(candidate)}")
    table = {(True, True): 0, (False, False): 0, (True, False): 0, (False, True): 0}
    for b, c in zip(base, candidate, strict=True):
        if b is not None and c is not None:
            table[(bool(b), bool(c))] += 1
    return PairedCounts(
        table[(True, True)], table[(False, False)], table[(True, False)], table[(False, True)]
    )


def mcnemar_exact_p(counts: PairedCounts) -> float:
    """Two-sided exact McNemar p-value: a sign test on the discordant pairs."""
    return two_sided_sign_test(counts.only_candidate, counts.discordant)


def _correlation(counts: PairedCounts, scale: float) -> float:
    """Newcombe's continuity-corrected phi between the two marginal outcomes (counts x scale)."""
    a, b = counts.both_pass * scale, counts.only_candidate * scale
    c, d = counts.only_base * scale, counts.both_fail * scale
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    if margins == 0:
        return 0.0
    cross = a * d - b * c
    n = counts.n * scale
    if cross > n / 2:
        cross -= n / 2
    elif cross >= 0:
        cross = 0
    return cross / math.sqrt(margins)


def paired_difference_interval(
    counts: PairedCounts, confidence: float = 0.95, design_effect: float = 1.0
) -> DifferenceEstimate:
    """Newcombe's method 10 interval for (candidate rate - base rate) on paired data.

    With repeats of one case the pairs are not independent; `design_effect` (>= 1, the
    variance inflation measured over cases) applies Rao and Scott's (1992) adjustment for
    clustered binary data: every count is divided by it, so the interval is as wide as the
    effective number of independent pairs makes it.
    """
    scale = 1.0 / design_effect
    n = counts.n * scale
    method = "Newcombe (1998) method 10, paired square-and-add of Wilson intervals"
    if design_effect > 1.0:
        method += f", Rao-Scott design effect {design_effect:.2f}"
    if counts.n == 0:
        return DifferenceEstimate(0.0, -1.0, 1.0, confidence, method)
    cand, base = counts.candidate_passes * scale, counts.base_passes * scale
    p1, p2 = cand / n, base / n
    l1, u1 = wilson_interval(cand, n, confidence)
    l2, u2 = wilson_interval(base, n, confidence)
    phi = _correlation(counts, scale)
    diff = p1 - p2
    down = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    up = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    low, high = diff - math.sqrt(max(down, 0.0)), diff + math.sqrt(max(up, 0.0))
    return DifferenceEstimate(diff, max(-1.0, low), min(1.0, high), confidence, method)
