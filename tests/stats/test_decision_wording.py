"""The reduction goals' reasons, word for word and in order, and their exact-boundary edges."""

from __future__ import annotations

from dataclasses import replace

import pytest

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


def test_accuracy_reasons_in_order_for_each_outcome() -> None:
    better = compare(*arms(81, 1, 10, 8), "accuracy", SETTINGS).reasons
    assert better[1] == "the pass-rate gain is significant (p < alpha = 0.05)"
    same = compare(*arms(880, 10, 10, 100), "accuracy", SETTINGS).reasons
    assert same[1] == "the interval rules out a change of 5 points or more"
    unsure = compare(*arms(14, 1, 3, 2), "accuracy", SETTINGS).reasons
    assert unsure[1] == "not significant at alpha = 0.05 and a change of 5 points is not ruled out"
    for reasons in (better, same, unsure):
        assert reasons[0].startswith("pass rate ")
        assert [r.split(" ")[0] for r in reasons[2:]] == ["tokens", "latency", "cost"]
        assert " ms -> " in reasons[3] and reasons[4].startswith("cost $")


def test_p_exactly_alpha_is_not_significant() -> None:
    """ "p < alpha": a p-value equal to alpha is neither an improvement nor a regression."""
    gain = arms(81, 1, 10, 8)
    p = compare(*gain, "accuracy", SETTINGS).figures.all_cases.mcnemar_p
    assert compare(*gain, "accuracy", replace(SETTINGS, alpha=p)).outcome == "inconclusive"
    drop = arms(81, 10, 1, 8)
    assert compare(*drop, "accuracy", replace(SETTINGS, alpha=p)).outcome == "inconclusive"
    assert compare(*drop, "accuracy", replace(SETTINGS, alpha=p * 1.0001)).outcome == "regression"


def test_no_difference_boundaries_on_an_asymmetric_interval() -> None:
    # a small drop: the interval reaches further down than up, so each end is tested alone
    base, cand = arms(880, 11, 9, 100)
    diff = compare(base, cand, "accuracy", SETTINGS).figures.all_cases.difference
    assert -diff.low > diff.high
    at_low = compare(base, cand, "accuracy", replace(SETTINGS, min_success_delta=-diff.low))
    assert at_low.outcome == "inconclusive"
    # a small gain: the upper end is the one that touches the margin
    base, cand = arms(880, 9, 11, 100)
    diff = compare(base, cand, "accuracy", SETTINGS).figures.all_cases.difference
    assert diff.high > -diff.low
    at_high = compare(base, cand, "accuracy", replace(SETTINGS, min_success_delta=diff.high))
    assert at_high.outcome == "inconclusive"
    assert compare(
        base, cand, "accuracy", replace(SETTINGS, min_success_delta=diff.high * 1.0001)
    ).outcome == ("no-difference")


def test_bad_input_is_refused_with_what_was_expected() -> None:
    with pytest.raises(ValueError, match=r"^unknown goal 'brevity'; expected one of accuracy, conciseness, "):
        compare(Arm([True]), Arm([True]), "brevity", SETTINGS)
    with pytest.raises(ValueError, match=r"^arms are not paired: 3 vs 2 samples$"):
        compare(Arm([True] * 3), Arm([True] * 2), "accuracy", SETTINGS)


def test_inconclusive_reduction_reasons_in_order() -> None:
    verdict = compare(*arms(30, 5, 2, 3, token_ratio=0.9), "conciseness", SETTINGS)
    assert verdict.outcome == "inconclusive" and verdict.goal == "conciseness"
    low = verdict.figures.all_cases.difference_lower_bound(0.95)
    assert verdict.reasons[2] == (
        "the pass rate is not shown non-inferior "
        f"(one-sided 95% lower bound {points(low)} pts, must be above -5)"
    )
    assert verdict.reasons[3] == "a tokens reduction of 10% is neither shown nor ruled out"
    assert [r.split(" ")[0] for r in verdict.reasons[4:]] == ["latency", "cost"]


def test_errored_pairs_are_left_out_of_the_ratio_and_the_reasons_say_so() -> None:
    base, cand = arms(170, 4, 4, 22, token_ratio=0.8)
    # ten pairs where the candidate errored but (wrongly) recorded huge token counts
    passed = list(cand.passed[:190]) + [None] * 10
    tokens = list(cand.tokens[:190]) + [1e9] * 10
    cand = Arm(passed, tokens, cand.latency_ms, cand.cost_usd, cand.tags, cand.case_ids)
    verdict = compare(base, cand, "conciseness", SETTINGS)
    assert verdict.figures.tokens.n == 190 and verdict.figures.alpha == 0.05
    assert verdict.outcome == "improvement" and verdict.goal == "conciseness"
    assert verdict.reasons[0].startswith("tokens ") and verdict.reasons[1].startswith("pass rate ")
    assert "10 sample pair(s) left out because a run errored" in verdict.reasons


def test_nothing_comparable_says_why() -> None:
    verdict = compare(Arm([None, None]), Arm([True, False]), "accuracy", SETTINGS)
    assert verdict.outcome == "inconclusive" and verdict.goal == "accuracy"
    assert verdict.reasons[-1] == "no sample ran without error in both arms, so nothing can be compared"
