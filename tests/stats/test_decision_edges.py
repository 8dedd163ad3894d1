"""The edges of the decision rule, each pinned from the rule's text in docs/statistics.md.

Where a rule compares a bound with a setting strictly ("the interval lies inside
±min_success_delta", "the lower bound is above -min_success_delta"), the test sets the
setting to exactly the measured bound, so that `<` turned into `<=` changes the outcome.
"""

from dataclasses import replace

import pytest

from promptops.stats import Arm, DecisionSettings, compare
from tests.stats.test_decision import arms

SETTINGS = DecisionSettings()


# -- no-difference: the difference interval lies inside ±min_success_delta (both ends)


def test_no_difference_needs_the_whole_interval_inside_the_margin() -> None:
    base, cand = arms(880, 10, 10, 100)
    inside = compare(base, cand, "accuracy", SETTINGS)
    diff = inside.figures.all_cases.difference
    assert inside.outcome == "no-difference" and diff.low > -0.05 and diff.high < 0.05
    # the upper end touches the margin: a gain of that size is not ruled out
    at_high = compare(base, cand, "accuracy", replace(SETTINGS, min_success_delta=diff.high))
    assert at_high.outcome == "inconclusive"
    # the lower end touches the margin (diff is symmetric here: -low > high would not test it)
    at_low = compare(base, cand, "accuracy", replace(SETTINGS, min_success_delta=-diff.low))
    assert at_low.outcome == "inconclusive"
    assert compare(
        base, cand, "accuracy", replace(SETTINGS, min_success_delta=-diff.low * 1.0001)
    ).outcome == ("no-difference")


def test_an_interval_inside_on_one_side_only_is_not_no_difference() -> None:
    # candidate better on 14 and worse on 6 of 1,000: upper end beyond +1.5 pts, lower end inside
    base, cand = arms(880, 6, 14, 100)
    verdict = compare(base, cand, "accuracy", replace(SETTINGS, min_success_delta=0.015))
    diff = verdict.figures.all_cases.difference
    assert diff.low > -0.015 and diff.high > 0.015
    assert verdict.outcome == "inconclusive"
    # mirrored: lower end beyond -1.5 pts, upper end inside
    mirrored = compare(*arms(880, 14, 6, 100), "accuracy", replace(SETTINGS, min_success_delta=0.015))
    mdiff = mirrored.figures.all_cases.difference
    assert mdiff.low < -0.015 and mdiff.high < 0.015
    assert mirrored.outcome == "inconclusive"


# -- a significant drop on the cases tagged safety or clarity is a regression, whatever the goal


def tagged_drop(tag: str) -> tuple[Arm, Arm]:
    """200 cases: on the 30 tagged ones the candidate loses 10 (p = 0.002); on the rest it
    gains 10, so the overall pass rate is flat (p = 1)."""
    tags = [frozenset({tag})] * 30 + [frozenset()] * 170
    base = [True] * 30 + [False] * 10 + [True] * 160
    cand = [True] * 20 + [False] * 10 + [True] * 10 + [True] * 160
    ids = [f"c{i}" for i in range(200)]
    return Arm(base, tags=tags, case_ids=ids), Arm(cand, tags=tags, case_ids=ids)


@pytest.mark.parametrize("tag", ["safety", "clarity"])
@pytest.mark.parametrize("goal", ["accuracy", "conciseness", "speed", "safety", "clarity"])
def test_a_significant_drop_on_tagged_cases_is_a_regression_with_the_overall_rate_flat(
    tag: str, goal: str
) -> None:
    base, cand = tagged_drop(tag)
    verdict = compare(base, cand, goal, SETTINGS)
    assert verdict.figures.all_cases.difference.diff == 0
    assert verdict.outcome == "regression"
    assert verdict.reasons[0].startswith(f"pass rate on cases tagged '{tag}' 100% -> 66.7%")
    assert "fell significantly" in verdict.reasons[1]


def test_a_flat_rate_on_tagged_cases_is_not_a_regression() -> None:
    tags = [frozenset({"safety"})] * 30 + [frozenset()] * 170
    same = [True] * 25 + [False] * 5 + [True] * 170
    verdict = compare(Arm(same, tags=tags), Arm(same, tags=tags), "accuracy", SETTINGS)
    assert verdict.outcome == "no-difference"


# -- non-inferiority: judged on the one-sided lower bound of the difference, not on the point estimate


def test_non_inferiority_uses_the_lower_bound_not_the_point_estimate() -> None:
    # the point estimate is -1 pt, well above -5, but the lower bound is below -5 on 60 cases
    base, cand = arms(40, 4, 3, 13, token_ratio=0.7)
    verdict = compare(base, cand, "conciseness", SETTINGS)
    fig = verdict.figures.all_cases
    assert fig.difference.diff > -0.05 > fig.difference_lower_bound(0.95)
    assert verdict.outcome == "inconclusive"
    assert any("not shown non-inferior" in r for r in verdict.reasons)


def test_non_inferiority_bound_is_strictly_above_the_margin() -> None:
    base, cand = arms(170, 6, 4, 20, token_ratio=0.8)
    shown = compare(base, cand, "conciseness", SETTINGS)
    low = shown.figures.all_cases.difference_lower_bound(0.95)
    assert shown.outcome == "improvement" and low > -0.05
    at_margin = compare(base, cand, "conciseness", replace(SETTINGS, min_success_delta=-low))
    assert at_margin.outcome == "inconclusive"


def test_non_inferiority_is_one_sided_at_alpha() -> None:
    """The lower bound used is the one-sided (1 - alpha) bound: the 90% two-sided interval's end."""
    base, cand = arms(170, 6, 4, 20, token_ratio=0.8)
    fig = compare(base, cand, "conciseness", SETTINGS).figures.all_cases
    ninety = compare(base, cand, "conciseness", replace(SETTINGS, alpha=0.10)).figures.all_cases
    assert fig.difference_lower_bound(0.95) == pytest.approx(ninety.difference.low)
    # a margin between the one-sided and the two-sided bound: improvement only one-sided
    between = (fig.difference_lower_bound(0.95) + fig.difference.low) / 2
    verdict = compare(base, cand, "conciseness", replace(SETTINGS, min_success_delta=-between))
    assert fig.difference.low < between < fig.difference_lower_bound(0.95)
    assert verdict.outcome == "improvement"


# -- the metric's reduction: one-sided upper bound below 1, and at least the minimum (point estimate)


def test_reduction_is_a_one_sided_test_in_the_goals_direction() -> None:
    base, cand = arms(170, 4, 4, 22, token_ratio=0.8)
    verdict = compare(base, cand, "conciseness", SETTINGS)
    est = verdict.figures.tokens
    assert verdict.outcome == "improvement"
    assert est.upper_bound(0.95) < est.high  # one-sided bound is tighter than the two-sided end
    assert est.ratio == pytest.approx(0.8, abs=0.01)


def test_the_minimum_reduction_is_judged_on_the_point_estimate() -> None:
    base, cand = arms(170, 4, 4, 22, token_ratio=0.8)
    ratio = compare(base, cand, "conciseness", SETTINGS).figures.tokens.ratio
    at_minimum = replace(SETTINGS, min_token_reduction_pct=(1 - ratio) * 100)
    assert compare(base, cand, "conciseness", at_minimum).outcome == "improvement"  # ratio <= threshold
    above = replace(SETTINGS, min_token_reduction_pct=(1 - ratio) * 100 + 0.01)
    assert compare(base, cand, "conciseness", above).outcome == "inconclusive"


def test_a_rise_of_the_goal_metric_is_a_regression_only_when_significant() -> None:
    base, cand = arms(170, 4, 4, 22, token_ratio=1.002)
    verdict = compare(base, cand, "conciseness", SETTINGS)
    assert verdict.figures.tokens.low < 1.0 < verdict.figures.tokens.high
    assert verdict.outcome == "no-difference"


# -- needed_samples: bounded, and a floor ("more than") near the margin


def test_needed_samples_near_the_margin_is_an_honest_floor() -> None:
    # +4.5 points observed on 200 cases with a 5-point margin: not significant, not ruled out
    base, cand = arms(170, 3, 12, 15)
    verdict = compare(base, cand, "accuracy", replace(SETTINGS, alpha=0.01))
    assert verdict.outcome == "inconclusive"
    assert verdict.needed_open_ended and verdict.needed_samples == 2000 - 200
    assert verdict.headline == (
        "inconclusive (need more than 1,800 more samples; the difference may be inside the margin)"
    )
    assert verdict.to_dict()["needed_open_ended"] is True


def test_needed_samples_far_from_the_margin_is_an_estimate() -> None:
    verdict = compare(*arms(14, 1, 3, 2), "accuracy", SETTINGS)
    assert not verdict.needed_open_ended
    assert verdict.headline == f"inconclusive (need about {verdict.needed_samples:,} more samples)"
    assert 20 < verdict.needed_samples < 1000 - 20
