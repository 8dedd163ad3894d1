"""Edges of the always-valid test: the running minimum, and the per-arm minimum (both arms)."""

from __future__ import annotations

import pytest

from promptops.stats.sequential import SequentialTest, mixture_likelihood_ratio


def test_the_p_value_is_the_running_minimum_over_all_looks() -> None:
    test = SequentialTest(min_per_arm=100)
    strong = test.look(800, 1000, 880, 1000)  # eight points apart on 1,000 each
    assert strong == pytest.approx(1 / mixture_likelihood_ratio(800, 1000, 880, 1000))
    assert strong < 0.001
    first = test.state()
    assert (first.base_n, first.base_successes, first.candidate_n, first.candidate_successes) == (
        1000, 800, 1000, 880,
    )  # fmt: skip
    assert first.p_value == strong and first.looks == 1
    # the evidence fades as more (identical-rate) lines come in: the p-value does not rise
    later = test.look(1600, 2000, 1610, 2000)
    assert 1 / mixture_likelihood_ratio(1600, 2000, 1610, 2000) > 0.5
    assert later == test.p_value == strong
    assert test.state().looks == 2
    assert test.state().likelihood_ratio == pytest.approx(mixture_likelihood_ratio(1600, 2000, 1610, 2000))


def test_no_look_counts_until_both_arms_have_the_minimum() -> None:
    test = SequentialTest(min_per_arm=100)
    # a huge gap, but one arm is short: either arm short means no look
    assert test.look(500, 1000, 99, 99) == 1.0
    assert test.look(0, 99, 1000, 1000) == 1.0
    assert test.state().looks == 0 and test.state().likelihood_ratio == 1.0
    assert test.state().base_n == 99 and test.state().candidate_successes == 1000  # counts kept anyway
    # exactly the minimum on both arms is enough
    assert test.look(20, 100, 90, 100) < 0.001
    assert test.state().looks == 1


def test_a_drop_is_evidence_too_the_test_is_two_sided() -> None:
    test = SequentialTest()
    assert test.look(880, 1000, 800, 1000) < 0.001


def test_no_evidence_without_data_or_variance() -> None:
    assert mixture_likelihood_ratio(0, 0, 50, 100) == 1.0
    assert mixture_likelihood_ratio(50, 100, 0, 0) == 1.0
    assert mixture_likelihood_ratio(1, 1, 1, 1) == 1.0  # n = 1 on each side: both rates 1, no variance
    assert mixture_likelihood_ratio(100, 100, 200, 200) == 1.0  # every call succeeded on both


def test_the_tests_own_tau_is_used() -> None:
    test = SequentialTest(tau=0.2, min_per_arm=100)
    test.look(800, 1000, 850, 1000)
    assert test.state().likelihood_ratio == pytest.approx(mixture_likelihood_ratio(800, 1000, 850, 1000, 0.2))
    assert test.state().likelihood_ratio != pytest.approx(mixture_likelihood_ratio(800, 1000, 850, 1000))
