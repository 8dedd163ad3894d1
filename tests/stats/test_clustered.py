"""Repeats of a case analysed by case: the sign-flip test, the design effect, and compare."""

import itertools
import random

import pytest

from promptops.stats import Arm, DecisionSettings, compare
from promptops.stats.clustered import EXACT_TABLE_LIMIT, by_case, design_effect, sign_flip_p
from promptops.stats.paired import mcnemar_exact_p, paired_counts


def enumerated_p(x: list[int]) -> float:
    """The definition: the share of all 2^m sign assignments at least as extreme as observed."""
    observed = abs(sum(x))
    hits = sum(
        abs(sum(s * abs(v) for s, v in zip(signs, x, strict=True))) >= observed
        for signs in itertools.product((1, -1), repeat=len(x))
    )
    return hits / 2 ** len(x)


def test_sign_flip_p_is_exact_against_enumeration() -> None:
    rng = random.Random(4)
    for _ in range(150):
        x = [rng.randint(-3, 3) for _ in range(rng.randint(1, 11))]
        assert sign_flip_p(x) == pytest.approx(enumerated_p(x), abs=1e-12), x


def test_large_tables_agree_with_random_sign_flips() -> None:
    """Over the exact table's size limit the p-value still matches its definition (by simulation)."""
    rng = random.Random(8)
    x = [rng.choice([-3, -2, -1, 1, 2, 3]) for _ in range(1500)] + [3] * 12
    sizes = [abs(v) for v in x]
    assert len(x) * sum(sizes) > EXACT_TABLE_LIMIT
    observed = abs(sum(x))
    flips = 4000
    hits = sum(abs(sum(s if rng.random() < 0.5 else -s for s in sizes)) >= observed for _ in range(flips))
    simulated = hits / flips
    assert 0.02 < simulated < 0.9  # a p-value where the check means something
    assert sign_flip_p(x) == pytest.approx(simulated, abs=3.5 * (simulated * (1 - simulated) / flips) ** 0.5)


def test_with_one_repeat_it_is_mcnemars_exact_test() -> None:
    rng = random.Random(5)
    for _ in range(50):
        base = [rng.random() < 0.7 for _ in range(60)]
        cand = [rng.random() < 0.75 for _ in range(60)]
        diffs = by_case(base, cand, [f"c{i}" for i in range(60)])
        assert sign_flip_p(diffs.x) == pytest.approx(mcnemar_exact_p(paired_counts(base, cand)), rel=1e-12)
        assert design_effect(diffs) == 1.0


def test_identical_repeats_add_no_evidence() -> None:
    """Five copies of each case's outcome are one observation of the case, not five."""
    base = [True] * 28 + [False] * 9 + [True] * 1 + [False] * 2
    cand = [True] * 28 + [True] * 9 + [False] * 1 + [False] * 2
    ids = [f"c{i}" for i in range(40)]
    once = compare(Arm(base, case_ids=ids), Arm(cand, case_ids=ids), "accuracy", DecisionSettings())
    five = compare(
        Arm([b for b in base for _ in range(5)], case_ids=[i for i in ids for _ in range(5)]),
        Arm([c for c in cand for _ in range(5)], case_ids=[i for i in ids for _ in range(5)]),
        "accuracy",
        DecisionSettings(),
    )
    assert five.figures.all_cases.mcnemar_p == pytest.approx(once.figures.all_cases.mcnemar_p)
    assert five.outcome == once.outcome == "improvement"
    assert five.figures.all_cases.design_effect == pytest.approx(5 * 40 / 39)
    width = lambda v: v.figures.all_cases.difference.high - v.figures.all_cases.difference.low  # noqa: E731
    assert width(five) == pytest.approx(width(once), rel=0.05)
    # counted as 200 independent samples the same data would look far stronger
    naive = paired_counts([b for b in base for _ in range(5)], [c for c in cand for _ in range(5)])
    assert mcnemar_exact_p(naive) < 1e-6


def test_errored_pairs_are_left_out_of_the_case() -> None:
    diffs = by_case([True, None, False, True], [False, True, True, None], ["a", "a", "b", "b"])
    assert (diffs.x, diffs.k, diffs.discordant) == ([-1, 1], [1, 1], [1, 1])
