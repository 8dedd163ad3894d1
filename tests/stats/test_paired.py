"""Paired counts, exact McNemar and Newcombe's paired interval."""

import math
import random

import pytest
from scipy.stats import binomtest

from promptops.stats.paired import (
    PairedCounts,
    mcnemar_exact_p,
    paired_counts,
    paired_difference_interval,
)


def test_paired_counts_exclude_errored_pairs() -> None:
    base = [True, True, False, False, None, True]
    cand = [True, False, True, False, True, None]
    counts = paired_counts(base, cand)
    assert counts == PairedCounts(both_pass=1, both_fail=1, only_base=1, only_candidate=1)
    assert counts.n == 4 and counts.discordant == 2


def test_paired_counts_need_aligned_arms() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        paired_counts([True], [True, False])


def test_mcnemar_exact_matches_scipy_binomtest_on_discordant_pairs() -> None:
    rng = random.Random(3)
    for _ in range(200):
        b, c = rng.randint(0, 60), rng.randint(0, 60)
        counts = PairedCounts(rng.randint(0, 100), rng.randint(0, 30), b, c)
        expected = binomtest(c, b + c, 0.5).pvalue if b + c else 1.0
        assert mcnemar_exact_p(counts) == pytest.approx(expected, rel=1e-9)


def test_mcnemar_example_from_the_issue() -> None:
    # 82% -> 91% with 1 loss and 10 wins on 100 cases: p = 2 * P(X <= 1 | 11, 0.5)
    counts = PairedCounts(both_pass=81, both_fail=8, only_base=1, only_candidate=10)
    assert mcnemar_exact_p(counts) == pytest.approx(24 / 2048)


def _newcombe_reference(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """Method 10 written out from the paper with scipy's Wilson intervals (independent of ours)."""
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    ci1 = binomtest(a + b, n).proportion_ci(method="wilson")
    ci2 = binomtest(a + c, n).proportion_ci(method="wilson")
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    cross = cross - n / 2 if cross > n / 2 else (0 if cross >= 0 else cross)
    phi = cross / math.sqrt(denom) if denom else 0.0
    dl1, du1, dl2, du2 = p1 - ci1.low, ci1.high - p1, p2 - ci2.low, ci2.high - p2
    low = p1 - p2 - math.sqrt(dl1**2 - 2 * phi * dl1 * du2 + du2**2)
    high = p1 - p2 + math.sqrt(dl2**2 - 2 * phi * dl2 * du1 + du1**2)
    return low, high


def test_newcombe_interval_matches_the_papers_formula() -> None:
    rng = random.Random(5)
    for _ in range(100):
        a, b, c, d = (rng.randint(0, 40) for _ in range(4))
        if a + b + c + d == 0:
            continue
        # our table: b = candidate-only passes, c = base-only passes
        est = paired_difference_interval(
            PairedCounts(both_pass=a, both_fail=d, only_base=c, only_candidate=b)
        )
        low, high = _newcombe_reference(a, b, c, d)
        assert est.low == pytest.approx(max(low, -1), abs=1e-9)
        assert est.high == pytest.approx(min(high, 1), abs=1e-9)
        assert est.low <= est.diff <= est.high


def test_newcombe_interval_is_not_degenerate_without_discordant_pairs() -> None:
    est = paired_difference_interval(PairedCounts(both_pass=90, both_fail=10, only_base=0, only_candidate=0))
    assert est.diff == 0 and est.low < 0 < est.high


def test_newcombe_interval_covers_the_true_difference_about_95_percent() -> None:
    rng = random.Random(17)
    true_diff, covered, trials = 0.05, 0, 1500
    for _ in range(trials):
        base, cand = [], []
        for _ in range(100):
            base_pass = rng.random() < 0.8
            # correlated pairs: the candidate mostly agrees with the base
            cand_pass = base_pass if rng.random() < 0.7 else rng.random() < (0.85 - 0.7 * 0.8) / 0.3
            base.append(base_pass)
            cand.append(cand_pass)
        est = paired_difference_interval(paired_counts(base, cand))
        covered += est.low <= true_diff <= est.high
    assert 0.93 <= covered / trials <= 0.975
