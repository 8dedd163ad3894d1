"""Wilson intervals and exact binomial p-values pinned against scipy on random inputs."""

import random

import pytest
from scipy.stats import binomtest

from promptops.stats.binomial import two_sided_sign_test
from promptops.stats.intervals import rate_estimate, wilson_interval


@pytest.mark.parametrize("confidence", [0.95, 0.90, 0.99])
def test_wilson_matches_scipy_on_random_inputs(confidence: float) -> None:
    rng = random.Random(7)
    for _ in range(150):
        n = rng.randint(1, 2000)
        k = rng.randint(0, n)
        ref = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        low, high = wilson_interval(k, n, confidence)
        assert low == pytest.approx(ref.low, abs=1e-12)
        assert high == pytest.approx(ref.high, abs=1e-12)


def test_wilson_at_the_edges_stays_in_unit_interval() -> None:
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    est = rate_estimate(82, 100)
    assert est.rate == 0.82 and est.low < 0.82 < est.high


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="successes <= n"):
        wilson_interval(11, 10)


def test_sign_test_matches_scipy_binomtest_including_large_n() -> None:
    rng = random.Random(11)
    cases = [(0, 0), (0, 1), (1, 1), (3, 3), (0, 5), (5, 10)]
    cases += [(rng.randint(0, n), n) for n in (rng.randint(1, 300) for _ in range(200))]
    cases += [(1400, 3000), (10, 5000)]
    for k, n in cases:
        ref = binomtest(k, n, 0.5).pvalue if n else 1.0
        assert two_sided_sign_test(k, n) == pytest.approx(ref, rel=1e-9, abs=1e-300), (k, n)


def test_sign_test_tails_near_the_centre_and_far_out_match_scipy_at_100k_pairs() -> None:
    """Where the summation stops early (tails) and where it runs longest (near n/2)."""
    n = 100_000
    for k in (0, 1, 49_000, 49_500, 49_800, 49_900, 49_999, 50_000, 50_001, 51_000, 99_999):
        ref = binomtest(k, n, 0.5).pvalue
        assert two_sided_sign_test(k, n) == pytest.approx(ref, rel=1e-10, abs=1e-300), k
