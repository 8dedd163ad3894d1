"""The reduction goals' reasons, word for word and in order, and their exact-boundary edges."""

from __future__ import annotations

from dataclasses import replace

from promptops.stats import Arm, DecisionSettings, compare
from promptops.stats.wording import points
from tests.stats.test_decision import arms

SETTINGS = DecisionSettings()


def test_conciseness_improvement_reasons_in_order() -> None:
    verdict = compare(*arms(170, 4, 4, 22, token_ratio=0.8), "conciseness", SETTINGS)
    tokens, fig = verdict.figures.tokens, verdict.figures.all_cases
    upper, low = tokens.upper_bound(0.95), fig.difference_lower_bound(0.95)
    assert verdict.outcome == "improvement"
    assert verdict.reasons[0].startswith("tokens ") and verdict.reasons[0].endswith("on 200 pairs)")
    assert verdict.reasons[1].startswith("pass rate 87% -> 87%")
    assert verdict.reasons[2] == (
        f"tokens fell significantly by at least 10% (one-sided 95% upper bound {(upper - 1) * 100:+.1f}%) "
        f"and the pass rate is non-inferior (one-sided 95% lower bound {points(low)} > -5 pts)"
    )
    assert [r.split(" ")[0] for r in verdict.reasons[3:]] == ["latency", "cost"]  # tokens said once


def test_speed_reasons_give_latency_in_ms() -> None:
    verdict = compare(*arms(170, 4, 4, 22, latency_ratio=0.85), "speed", SETTINGS)
    assert verdict.reasons[0].startswith("latency ") and " ms -> " in verdict.reasons[0]
    assert verdict.reasons[2].startswith("latency fell significantly by at least 5% (one-sided 95%")
    assert [r.split(" ")[0] for r in verdict.reasons[3:]] == ["tokens", "cost"]


def test_regression_and_no_difference_reasons_follow_the_two_figures() -> None:
    rose = compare(*arms(170, 4, 4, 22, token_ratio=1.3), "conciseness", SETTINGS)
    assert rose.reasons[2] == "tokens rose significantly, against the goal of reducing them"
    flat = compare(*arms(170, 4, 4, 22, token_ratio=0.99), "conciseness", SETTINGS)
    assert flat.reasons[2] == "tokens did not fall by the 10% minimum (the interval rules it out)"


def test_unmeasured_metric_is_inconclusive_and_says_so() -> None:
    base, cand = Arm([True] * 30 + [False] * 10), Arm([True] * 30 + [False] * 10)
    verdict = compare(base, cand, "conciseness", SETTINGS)
    assert verdict.outcome == "inconclusive" and verdict.needed_samples is None
    assert verdict.reasons[0] == "tokens were not measured for both prompts, so the goal cannot be judged"
    assert verdict.reasons[1].startswith("pass rate 75% -> 75%")


def exact(ratio: float, n: int = 8, passed: list[bool] | None = None) -> tuple[Arm, Arm]:
    """Every case's tokens scaled by exactly `ratio`: the interval has zero width."""
    outcomes = passed or [True] * n
    tokens = [400.0, 800.0, 200.0, 1600.0] * (n // 4)
    return Arm(outcomes, tokens=tokens), Arm(outcomes, tokens=[t * ratio for t in tokens])


def test_exactly_unchanged_tokens_are_neither_a_rise_nor_a_fall() -> None:
    verdict = compare(*exact(1.0), "conciseness", SETTINGS)
    assert (verdict.figures.tokens.low, verdict.figures.tokens.high) == (1.0, 1.0)
    assert verdict.outcome == "no-difference"  # not "regression": low is not above 1
    no_minimum = compare(*exact(1.0), "conciseness", replace(SETTINGS, min_token_reduction_pct=0.0))
    assert no_minimum.outcome == "inconclusive"  # upper bound 1.0 is not below 1: nothing fell
    assert no_minimum.needed_open_ended


def test_a_ratio_exactly_at_the_minimum_is_not_ruled_out() -> None:
    # tokens exactly halved, minimum 50%, pass rate unproven on 8 cases: the reduction of the
    # minimum is reached, not ruled out, so the verdict waits for the pass rate
    verdict = compare(*exact(0.5), "conciseness", replace(SETTINGS, min_token_reduction_pct=50.0))
    assert verdict.figures.tokens.low == 0.5
    assert verdict.outcome == "inconclusive"
    assert any("not shown non-inferior" in r for r in verdict.reasons)
