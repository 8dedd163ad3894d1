"""Bootstrap ratios of means and the unpaired two-proportion comparison."""

import random

import pytest
from scipy.stats import chi2_contingency

from promptops.stats.ratios import ratio_of_means
from promptops.stats.unpaired import compare_proportions, two_proportion_z


def test_ratio_is_the_ratio_of_means_with_a_reproducible_interval() -> None:
    rng = random.Random(2)
    base = [rng.lognormvariate(6, 0.4) for _ in range(120)]
    cand = [b * rng.uniform(0.75, 0.95) for b in base]
    first = ratio_of_means(base, cand)
    again = ratio_of_means(base, cand)
    assert first == again  # fixed seed: the same results print the same interval
    assert first.ratio == pytest.approx(sum(cand) / sum(base))
    assert first.low < first.ratio < first.high < 1.0
    assert first.resamples == 2000 and first.n == 120
    assert first.change_pct == pytest.approx((first.ratio - 1) * 100)


def test_ratio_interval_covers_one_for_identical_distributions() -> None:
    rng = random.Random(9)
    base = [rng.gauss(500, 80) for _ in range(100)]
    cand = [rng.gauss(500, 80) for _ in range(100)]
    est = ratio_of_means(base, cand, resamples=1000)
    assert est.low < 1.0 < est.high


def test_ratio_is_undefined_without_data() -> None:
    assert ratio_of_means([], []) is None
    assert ratio_of_means([0.0, 0.0], [1.0, 2.0]) is None
    with pytest.raises(ValueError, match="differ in length"):
        ratio_of_means([1.0], [1.0, 2.0])


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
