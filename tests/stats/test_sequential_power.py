"""The always-valid sequential test and the sample-size helper."""

import math
import random

import pytest
from scipy import integrate
from scipy.stats import norm

from promptops.stats.paired import mcnemar_exact_p, paired_counts
from promptops.stats.power import independent_discordance, paired_samples_needed, plan_paired
from promptops.stats.sequential import SequentialTest, mixture_likelihood_ratio


def test_mixture_ratio_equals_the_integral_over_the_normal_prior() -> None:
    s1, n1, s2, n2, tau = 790, 1000, 830, 1000, 0.05
    p1, p2 = s1 / n1, s2 / n2
    v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    theta = p2 - p1
    sd = math.sqrt(v)

    def integrand(t: float) -> float:
        return norm.pdf(theta, t, sd) / norm.pdf(theta, 0, sd) * norm.pdf(t, 0, tau)

    expected, _ = integrate.quad(integrand, -1, 1, points=[0, theta])
    assert mixture_likelihood_ratio(s1, n1, s2, n2, tau) == pytest.approx(expected, rel=1e-6)


def _stream(rng: random.Random, p_base: float, p_cand: float, looks: int, every: int) -> SequentialTest:
    test = SequentialTest()
    counts = [0, 0, 0, 0]  # base successes, base n, cand successes, cand n
    for _ in range(looks):
        for _ in range(every):
            arm = rng.random() < 0.5
            p = p_cand if arm else p_base
            counts[2 * arm] += rng.random() < p
            counts[2 * arm + 1] += 1
        test.look(*counts)
    return test


def test_p_value_never_increases_and_stays_in_unit_interval() -> None:
    rng = random.Random(1)
    test, counts, seen = SequentialTest(min_per_arm=10), [0, 0, 0, 0], []
    for _ in range(2000):
        arm = rng.random() < 0.5
        counts[2 * arm] += rng.random() < 0.8
        counts[2 * arm + 1] += 1
        seen.append(test.look(*counts))
    assert all(0 < b <= a <= 1 for a, b in zip(seen, seen[1:], strict=False))
    assert test.state().looks > 0


def test_peeking_often_keeps_false_positives_near_alpha() -> None:
    rng = random.Random(21)
    runs = 200
    rejected = sum(_stream(rng, 0.8, 0.8, looks=60, every=50).p_value < 0.05 for _ in range(runs))
    assert rejected / runs <= 0.06


def test_a_real_gain_is_found() -> None:
    rng = random.Random(22)
    found = sum(_stream(rng, 0.8, 0.86, looks=80, every=50).p_value < 0.05 for _ in range(40))
    assert found >= 36


def test_no_evidence_before_min_per_arm() -> None:
    test = SequentialTest(min_per_arm=100)
    assert test.look(0, 99, 99, 99) == 1.0
    assert test.state().looks == 0


def test_power_helper_delivers_80_percent_power_in_simulation() -> None:
    plan = plan_paired(0.10, 0.8, repeats=1)
    assert plan.samples == paired_samples_needed(0.10, independent_discordance(0.8, 0.10))
    rng = random.Random(8)
    detected = 0
    sims = 400
    for _ in range(sims):
        base = [rng.random() < 0.8 for _ in range(plan.samples)]
        cand = [rng.random() < 0.9 for _ in range(plan.samples)]
        detected += mcnemar_exact_p(paired_counts(base, cand)) < 0.05
    assert 0.72 <= detected / sims <= 0.90


def test_power_plan_splits_into_cases_and_repeats() -> None:
    plan = plan_paired(0.05, 0.8, discordance=0.12, repeats=3)
    assert plan.cases * 3 == plan.samples
    assert plan.samples >= paired_samples_needed(0.05, 0.12)
    # correlated prompts (few discordant pairs) need fewer samples than independent ones
    assert paired_samples_needed(0.05, 0.08) < paired_samples_needed(0.05, independent_discordance(0.8, 0.05))
    with pytest.raises(ValueError):
        paired_samples_needed(0.0, 0.1)
