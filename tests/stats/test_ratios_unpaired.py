"""Paired log-ratio intervals and the unpaired two-proportion comparison."""

import math
import random
import statistics

import pytest
from scipy import stats
from scipy.stats import chi2_contingency

from promptops.stats.ratios import paired_log_ratio
from promptops.stats.student import t_quantile
from promptops.stats.unpaired import compare_proportions, two_proportion_z


def test_ratio_is_the_geometric_mean_of_per_case_ratios_with_scipys_t_interval() -> None:
    rng = random.Random(2)
    base = [rng.lognormvariate(6, 0.4) for _ in range(12)]
    cand = [b * rng.uniform(0.75, 0.95) for b in base]
    est = paired_log_ratio(base, cand)
    logs = [math.log(c / b) for b, c in zip(base, cand, strict=True)]
    ref = stats.t.interval(0.95, len(logs) - 1, loc=statistics.fmean(logs), scale=stats.sem(logs))
    assert est.ratio == pytest.approx(math.exp(statistics.fmean(logs)), rel=1e-12)
    assert (est.low, est.high) == pytest.approx((math.exp(ref[0]), math.exp(ref[1])), rel=1e-9)
    assert est.n == 12 and est.excluded == 0 and est.change_pct == pytest.approx((est.ratio - 1) * 100)
    one_sided = stats.t.ppf(0.95, 11) * stats.sem(logs)
    assert est.upper_bound(0.95) == pytest.approx(math.exp(statistics.fmean(logs) + one_sided), rel=1e-9)
    assert est.lower_bound(0.95) == pytest.approx(math.exp(statistics.fmean(logs) - one_sided), rel=1e-9)
    assert paired_log_ratio(base, cand) == est  # closed form: the same numbers every time


def test_ratio_interval_covers_one_for_identical_distributions() -> None:
    rng = random.Random(9)
    base = [rng.gauss(500, 80) for _ in range(100)]
    cand = [rng.gauss(500, 80) for _ in range(100)]
    est = paired_log_ratio(base, cand)
    assert est.low < 1.0 < est.high


def test_pairs_with_a_zero_are_left_out_and_counted() -> None:
    est = paired_log_ratio([100.0, 0.0, 200.0, 50.0], [90.0, 30.0, 170.0, 0.0])
    assert est.n == 2 and est.excluded == 2
    assert est.ratio == pytest.approx(math.sqrt(0.9 * 0.85))


def test_ratio_is_undefined_without_two_usable_pairs() -> None:
    assert paired_log_ratio([], []) is None
    assert paired_log_ratio([0.0, 0.0], [1.0, 2.0]) is None
    assert paired_log_ratio([3.0], [2.0]) is None
    with pytest.raises(ValueError, match="differ in length"):
        paired_log_ratio([1.0], [1.0, 2.0])


def test_t_quantiles_match_scipy() -> None:
    for df in (1, 2, 3, 4, 9, 19, 49, 100, 101, 199, 5000):
        for p in (0.6, 0.9, 0.95, 0.975, 0.995):
            assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8), (p, df)


def test_two_proportion_z_matches_the_chi_square_test() -> None:
    rng = random.Random(4)
    for _ in range(50):
        n1, n2 = rng.randint(20, 5000), rng.randint(20, 5000)
        s1, s2 = rng.randint(1, n1 - 1), rng.randint(1, n2 - 1)
        _, p_ref, _, _ = chi2_contingency([[s1, n1 - s1], [s2, n2 - s2]], correction=False)
        assert two_proportion_z(s1, n1, s2, n2)[1] == pytest.approx(p_ref, rel=1e-6)


def test_unpaired_interval_brackets_the_difference() -> None:
    result = compare_proportions(800, 1000, 860, 1000)
    assert result.diff == pytest.approx(0.06)
    assert 0 < result.low < 0.06 < result.high
    assert result.p_value < 0.001
