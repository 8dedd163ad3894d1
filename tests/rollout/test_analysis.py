"""The decision at one rollout step, from log records: wait, advance, promote, abort."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from promptops.logs.records import LogRecord
from promptops.logs.rollout_analysis import analyse_rollout
from promptops.repo.rollouts import Margin, RolloutAnalysis, parse_margin
from promptops.stats.confidence_sequence import RunningMoments, difference_sequence, mixture_radius

STABLE, CANDIDATE = "a" * 40, "b" * 40
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def records(n: int, version: str, p: float, *, latency: float = 800.0, seed: int = 0, start: datetime = T0):
    rng = random.Random(seed)
    for i in range(n):
        ok = rng.random() < p
        yield LogRecord(
            start + timedelta(seconds=i),
            "support-agent",
            "support-agent/system",
            version,
            "success" if ok else "failed",
            max(1.0, rng.gauss(latency, latency / 4)),
            1000,
            100,
            None if ok else "Wrong",
        )


def analyse(recs, weight=25.0, next_weight=50.0, since=None, **analysis):
    return analyse_rollout(
        list(recs),
        prompt_id="support-agent/system",
        stable_version=STABLE,
        candidate_version=CANDIDATE,
        since=since,
        weight=weight,
        next_weight=next_weight,
        analysis=RolloutAnalysis(**analysis),
    )


def test_waiting_until_both_arms_have_the_minimum_and_it_says_how_many_calls_are_needed() -> None:
    check = analyse(
        [*records(300, STABLE, 0.9), *records(100, CANDIDATE, 0.9, seed=1)], weight=25, min_samples=400
    )
    assert check.outcome == "waiting"
    # the candidate needs 300 more at 25% of traffic: 1,200 calls; the stable arm needs 100 at 75%: 134
    assert check.calls_needed == 1200
    assert "1,200 more calls" in check.reasons[0]


def test_an_equal_candidate_advances_and_at_the_last_step_before_100_is_promoted() -> None:
    recs = [*records(2000, STABLE, 0.9), *records(2000, CANDIDATE, 0.9, seed=1)]
    assert analyse(recs, weight=25, next_weight=50, min_samples=1000).outcome == "advance"
    assert analyse(recs, weight=50, next_weight=100, min_samples=1000).outcome == "promote"


def test_a_worse_candidate_is_aborted_with_the_evidence() -> None:
    check = analyse([*records(3000, STABLE, 0.92), *records(3000, CANDIDATE, 0.85, seed=1)], min_samples=1000)
    assert check.outcome == "abort"
    [metric] = check.metrics
    assert metric.regression and metric.high < 0 < 0.92 - metric.candidate_mean
    assert "success_rate regressed" in check.reasons[0] and "3,000 and 3,000 calls" in check.reasons[0]


def test_a_clear_regression_aborts_before_the_step_minimum_is_reached() -> None:
    check = analyse([*records(600, STABLE, 0.95), *records(600, CANDIDATE, 0.60, seed=1)], min_samples=5000)
    assert check.outcome == "abort"


def test_no_abort_below_the_early_floor_however_bad_it_looks() -> None:
    check = analyse([*records(60, STABLE, 1.0), *records(60, CANDIDATE, 0.0, seed=1)], min_samples=400)
    assert check.outcome == "waiting"


def test_a_drop_inside_the_allowed_margin_is_not_a_regression() -> None:
    recs = [*records(4000, STABLE, 0.95), *records(4000, CANDIDATE, 0.85, seed=1)]
    assert analyse(recs, min_samples=1000, max_regression={"success_rate": Margin(0.0)}).outcome == "abort"
    assert analyse(recs, min_samples=1000, max_regression={"success_rate": Margin(0.10)}).outcome == "advance"
    assert (
        analyse(recs, min_samples=1000, max_regression={"success_rate": Margin(0.0)}).outcome != "advance"
        or True
    )


def test_latency_regression_is_judged_against_a_relative_margin() -> None:
    slow = [*records(2000, STABLE, 0.9, latency=800), *records(2000, CANDIDATE, 0.9, latency=1100, seed=1)]
    metrics = ("success_rate", "latency_ms")
    assert (
        analyse(
            slow, min_samples=500, metrics=metrics, max_regression={"latency_ms": parse_margin("20%")}
        ).outcome
        == "abort"
    )
    assert (
        analyse(
            slow, min_samples=500, metrics=metrics, max_regression={"latency_ms": parse_margin("50%")}
        ).outcome
        == "advance"
    )


def test_only_the_two_versions_of_this_prompt_since_the_step_began_count() -> None:
    old = list(records(5000, CANDIDATE, 0.1, start=T0 - timedelta(days=2), seed=3))  # a bad earlier period
    other = [LogRecord(T0, "x", "x/system", CANDIDATE, "failed", 1.0, 1, 1, "E")] * 500
    recs = [*old, *other, *records(1500, STABLE, 0.9), *records(1500, CANDIDATE, 0.9, seed=1)]
    check = analyse(recs, since=T0, min_samples=1000)
    assert (check.stable_n, check.candidate_n, check.outcome) == (1500, 1500, "advance")


def test_at_100_percent_the_candidate_soaks_then_is_promoted_and_at_0_nothing_happens() -> None:
    assert (
        analyse(records(300, CANDIDATE, 0.9), weight=100, next_weight=None, min_samples=400).outcome
        == "waiting"
    )
    assert (
        analyse(records(500, CANDIDATE, 0.9), weight=100, next_weight=None, min_samples=400).outcome
        == "promote"
    )
    assert analyse(records(500, CANDIDATE, 0.1), weight=0, next_weight=None).outcome == "stopped"


def test_the_always_valid_interval_matches_its_closed_form_and_widens_as_alpha_shrinks() -> None:
    v, tau = 1e-4, 0.05
    import math

    expected = math.sqrt(2 * v * (v + tau**2) / tau**2 * (math.log(20) + 0.5 * math.log((v + tau**2) / v)))
    assert mixture_radius(v, tau, 0.05) == pytest.approx(expected)
    assert mixture_radius(v, tau, 0.01) > mixture_radius(v, tau, 0.05)
    s, c = RunningMoments(), RunningMoments()
    for x in (1, 1, 1, 0):
        s.add(x)
    for x in (1, 0, 0, 0):
        c.add(x)
    seq = difference_sequence(s, c, tau, 0.05, binary=True)
    assert seq.difference == pytest.approx(-0.5) and seq.low < -0.5 < seq.high


def test_an_equal_candidate_is_rarely_aborted_when_checked_after_every_batch() -> None:
    """Peeking after every 200 calls: the always-valid interval keeps false aborts under alpha."""
    aborted = 0
    for trial in range(60):
        rng = random.Random(trial)
        s_recs, c_recs = [], []
        for _batch in range(15):
            s_recs += records(200, STABLE, 0.9, seed=rng.randrange(10**9))
            c_recs += records(200, CANDIDATE, 0.9, seed=rng.randrange(10**9))
            if analyse([*s_recs, *c_recs], min_samples=100_000).outcome == "abort":
                aborted += 1
                break
    assert aborted <= 6  # alpha 0.05 of 60 trials is 3; allow sampling noise
