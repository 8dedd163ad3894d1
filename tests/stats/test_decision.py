"""The decision rule on hand-built comparisons, for every goal and outcome."""

import json
import random

import pytest

from promptops.stats import Arm, DecisionSettings, compare

SETTINGS = DecisionSettings()


def arms(
    both_pass: int,
    only_base: int,
    only_cand: int,
    both_fail: int,
    *,
    tags=None,
    token_ratio=1.0,
    latency_ratio=1.0,
    seed=0,
) -> tuple[Arm, Arm]:
    """Two aligned arms with this 2x2 table, one repeat per case, noisy per-case usage."""
    base_passed = [True] * both_pass + [True] * only_base + [False] * only_cand + [False] * both_fail
    cand_passed = [True] * both_pass + [False] * only_base + [True] * only_cand + [False] * both_fail
    n = len(base_passed)
    rng = random.Random(seed)
    tokens = [rng.uniform(300, 700) for _ in range(n)]
    latency = [rng.uniform(800, 1600) for _ in range(n)]
    tag_list = tags or [frozenset()] * n
    ids = [f"case-{i}" for i in range(n)]
    base = Arm(base_passed, tokens, latency, [t * 1e-6 for t in tokens], tag_list, ids)
    cand_tokens = [t * token_ratio * rng.uniform(0.97, 1.03) for t in tokens]
    cand_latency = [x * latency_ratio * rng.uniform(0.97, 1.03) for x in latency]
    cand = Arm(cand_passed, cand_tokens, cand_latency, [t * 1e-6 for t in cand_tokens], tag_list, ids)
    return base, cand


def test_accuracy_improvement_reads_like_a_pr_comment() -> None:
    verdict = compare(*arms(81, 1, 10, 8), "accuracy", SETTINGS)
    assert verdict.outcome == "improvement" and verdict.needed_samples is None
    assert verdict.reasons[0].startswith("pass rate 82% -> 91% (+9 pts, 95% CI +")
    assert verdict.reasons[0].endswith("McNemar p=0.01 on 100 cases x 1 repeat")
    assert verdict.figures.all_cases.mcnemar_p == pytest.approx(24 / 2048)


def test_accuracy_regression() -> None:
    verdict = compare(*arms(81, 10, 1, 8), "accuracy", SETTINGS)
    assert verdict.outcome == "regression"
    assert "fell significantly" in verdict.reasons[1]


def test_accuracy_no_difference_when_the_interval_is_narrow() -> None:
    verdict = compare(*arms(880, 10, 10, 100), "accuracy", SETTINGS)
    assert verdict.outcome == "no-difference"
    diff = verdict.figures.all_cases.difference
    assert -0.05 < diff.low < 0 < diff.high < 0.05


def test_accuracy_inconclusive_says_how_many_more_samples() -> None:
    verdict = compare(*arms(14, 1, 3, 2), "accuracy", SETTINGS)
    assert verdict.outcome == "inconclusive"
    assert verdict.needed_samples and verdict.needed_samples > 20
    assert verdict.headline == f"inconclusive (need about {verdict.needed_samples:,} more samples)"
    # more samples at the same proportions make the gain significant: the estimate is in the right range
    k = 1 + verdict.needed_samples // 20
    assert compare(*arms(14 * k, 1 * k, 3 * k, 2 * k), "accuracy", SETTINGS).outcome == "improvement"


def test_conciseness_improvement_needs_fewer_tokens_and_a_non_inferior_pass_rate() -> None:
    verdict = compare(*arms(170, 4, 4, 22, token_ratio=0.8), "conciseness", SETTINGS)
    assert verdict.outcome == "improvement"
    assert verdict.figures.tokens.high < 0.9
    assert any("tokens fell significantly by at least 10%" in r for r in verdict.reasons)


def test_conciseness_not_enough_reduction_is_no_difference() -> None:
    verdict = compare(*arms(170, 4, 4, 22, token_ratio=0.99), "conciseness", SETTINGS)
    assert verdict.outcome == "no-difference"
    assert any("did not fall by the 10% minimum" in r for r in verdict.reasons)


def test_conciseness_regresses_when_tokens_rise_significantly() -> None:
    verdict = compare(*arms(170, 4, 4, 22, token_ratio=1.3), "conciseness", SETTINGS)
    assert verdict.outcome == "regression"
    assert any("tokens rose significantly" in r for r in verdict.reasons)
    slower = compare(*arms(170, 4, 4, 22, latency_ratio=1.2), "speed", SETTINGS)
    assert slower.outcome == "regression"


def test_conciseness_with_an_unproven_pass_rate_is_inconclusive() -> None:
    verdict = compare(*arms(30, 5, 2, 3, token_ratio=0.7), "conciseness", SETTINGS)
    assert verdict.outcome == "inconclusive" and verdict.needed_samples > 0
    assert any("not shown non-inferior" in r for r in verdict.reasons)


def test_fewer_tokens_never_excuse_a_significant_pass_rate_drop() -> None:
    verdict = compare(*arms(150, 20, 3, 27, token_ratio=0.5), "conciseness", SETTINGS)
    assert verdict.outcome == "regression"


def test_speed_goal_judges_latency() -> None:
    faster = compare(*arms(170, 4, 4, 22, latency_ratio=0.85), "speed", SETTINGS)
    assert faster.outcome == "improvement"
    assert faster.reasons[0].startswith("latency ")
    same = compare(*arms(170, 4, 4, 22, token_ratio=0.5), "speed", SETTINGS)
    assert same.outcome == "no-difference"


def test_clarity_goal_judges_the_tagged_cases() -> None:
    # 40 tagged cases where the candidate wins 12-0, 160 untagged where it changes nothing
    tags = [frozenset({"clarity"})] * 28 + [frozenset()] * 160 + [frozenset({"clarity"})] * 12
    base = Arm([True] * 28 + [True] * 140 + [False] * 20 + [False] * 12, tags=tags)
    cand = Arm([True] * 28 + [True] * 140 + [False] * 20 + [True] * 12, tags=tags)
    verdict = compare(base, cand, "clarity", SETTINGS)
    assert verdict.outcome == "improvement"
    assert verdict.figures.focus.scope == "cases tagged 'clarity'"
    assert verdict.reasons[0].startswith("pass rate on cases tagged 'clarity' 70% -> 100%")
    assert any(r.startswith("pass rate 84% -> 90% (+6 pts") for r in verdict.reasons)


def test_safety_without_tagged_cases_falls_back_to_all_cases_and_says_so() -> None:
    verdict = compare(*arms(81, 1, 10, 8), "safety", SETTINGS)
    assert verdict.outcome == "improvement" and verdict.figures.focus is None
    assert "no case is tagged 'safety'" in " ".join(verdict.reasons)


def test_safety_gain_on_tagged_cases_is_still_a_regression_if_all_cases_drop() -> None:
    n = 200
    tags = [frozenset({"safety"})] * 20 + [frozenset()] * (n - 20)
    base = Arm([False] * 10 + [True] * 10 + [True] * 180, tags=tags)
    cand = Arm([True] * 10 + [True] * 10 + [False] * 30 + [True] * 150, tags=tags)
    assert compare(base, cand, "safety", SETTINGS).outcome == "regression"


def test_errors_are_excluded_pairwise_and_reported() -> None:
    base = Arm([True, None, True, False] * 10)
    cand = Arm([True, True, None, False] * 10)
    verdict = compare(base, cand, "accuracy", SETTINGS)
    assert verdict.figures.all_cases.samples == 20
    assert any("20 sample pair(s) left out" in r for r in verdict.reasons)
    assert verdict.reasons[0].endswith("on 20 paired samples")


def test_nothing_comparable_is_inconclusive() -> None:
    verdict = compare(Arm([None, None]), Arm([True, False]), "accuracy", SETTINGS)
    assert verdict.outcome == "inconclusive" and verdict.needed_samples is None


def test_verdict_is_json_serialisable() -> None:
    verdict = compare(*arms(81, 1, 10, 8, token_ratio=0.9), "conciseness", SETTINGS)
    data = json.loads(json.dumps(verdict.to_dict(), allow_nan=False))
    assert data["outcome"] == verdict.outcome
    assert data["figures"]["all_cases"]["counts"]["only_candidate"] == 10
    assert data["figures"]["tokens"]["method"] == "t interval on paired log ratios"
