"""Sections of bench/stats_calibration.py about goals and repeats:

- conciseness and speed at n = 200: power at -15% tokens (latency) with an equal pass rate,
  and the false-"improvement" rate where the goal must not be met (identical prompts; the
  metric down 15% but the pass rate 5 points worse, right at the non-inferiority margin),
  for the rule (one-sided tests in the goal's direction) and for the previous two-sided rule
  on the same intervals;
- repeats: false positives of the accuracy goal when repeats of a case are correlated (a
  prompt answers a case the same way most of the time), analysed by case (ours) and as
  independent samples (before), at repeat 1, 3 and 5.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from promptops.stats import Arm, DecisionSettings, Verdict, compare

SETTINGS = DecisionSettings()
Row = Callable[[str, int, int], str]


def goal_world(rng: random.Random, cases: int, metric_ratio: float, pass_drop: float) -> tuple[Arm, Arm]:
    """Case pass probabilities Beta(4, 1) shared by both prompts; the candidate's are scaled so
    its mean is `pass_drop` lower. Tokens and latency: per-case size, 15% / 30% noise per side;
    the candidate's metric (both tokens and latency) is `metric_ratio` of the base's."""
    keep = 1 - pass_drop / 0.8
    bp, cp, bt, ct, bl, cl = [], [], [], [], [], []
    for _ in range(cases):
        p = rng.betavariate(4, 1)
        size = rng.lognormvariate(6, 0.5)
        bp.append(rng.random() < p)
        cp.append(rng.random() < p * keep)
        bt.append(size * rng.gauss(1, 0.15))
        ct.append(metric_ratio * size * rng.gauss(1, 0.15))
        bl.append(3 * size * max(0.05, rng.gauss(1, 0.3)))
        cl.append(3 * metric_ratio * size * max(0.05, rng.gauss(1, 0.3)))
    return Arm(bp, tokens=bt, latency_ms=bl), Arm(cp, tokens=ct, latency_ms=cl)


def two_sided_rule(verdict: Verdict, goal: str) -> bool:
    """The previous rule: the metric's two-sided 95% interval below 1 and the pass rate's
    two-sided 95% lower bound above -margin (each test at alpha/2)."""
    est = verdict.figures.tokens if goal == "conciseness" else verdict.figures.latency_ms
    minimum = (
        SETTINGS.min_token_reduction_pct if goal == "conciseness" else SETTINGS.min_latency_reduction_pct
    )
    assert est is not None
    return (
        est.high < 1.0
        and est.ratio <= 1 - minimum / 100
        and verdict.figures.all_cases.difference.low > -SETTINGS.min_success_delta
        and verdict.outcome != "regression"
    )


def goals_section(rng: random.Random, runs: int, rate_row: Row) -> None:
    print("## Conciseness and speed, 200 cases, pass rate 0.8 (alpha = 0.05)\n")
    print(f"| {'scenario / rule':<66} | {'runs':>7} | {'rate':>7} | 95% sim. error |")
    print(f"|{'-' * 68}|{'-' * 9}|{'-' * 9}|---------------|")
    for goal, metric in (("conciseness", "tokens"), ("speed", "latency")):
        for ratio, drop, what in (
            (0.85, 0.0, f"{metric} -15%, equal pass rate: power"),
            (1.0, 0.0, "identical prompts: false positives"),
            (0.85, 0.05, f"{metric} -15%, pass rate -5 pts (margin): false positives"),
        ):
            ours = before = 0
            for _ in range(runs):
                verdict = compare(*goal_world(rng, 200, ratio, drop), goal, SETTINGS)
                ours += verdict.outcome == "improvement"
                before += two_sided_rule(verdict, goal)
            print(rate_row(f"{goal}: {what}, one-sided (ours)", ours, runs))
            print(rate_row(f"{goal}: {what}, two-sided (before)", before, runs))
    print()


def repeat_world(rng: random.Random, cases: int, repeats: int, sticky: float, gain: bool) -> tuple[Arm, Arm]:
    """Each prompt has a usual answer per case (pass with the case's probability) that a repeat
    gives again with probability `sticky`, otherwise it samples afresh. Both prompts have the
    same per-case pass probability (no true difference) unless `gain` (+10 points on average)."""
    ids, bp, cp = [], [], []
    for case in range(cases):
        p = rng.betavariate(4, 1)
        q = p + 0.5 * (1 - p) if gain else p
        usual_b, usual_c = rng.random() < p, rng.random() < q
        for _ in range(repeats):
            ids.append(f"case-{case}")
            bp.append(usual_b if rng.random() < sticky else rng.random() < p)
            cp.append(usual_c if rng.random() < sticky else rng.random() < q)
    return Arm(bp, case_ids=ids), Arm(cp, case_ids=ids)


def repeats_section(rng: random.Random, runs: int, rate_row: Row) -> None:
    print("## Repeats: accuracy goal, 100 cases, repeats correlated (a repeat gives the prompt's usual")
    print("## answer to the case with probability 0.7)\n")
    print(f"| {'scenario / analysis':<66} | {'runs':>7} | {'rate':>7} | 95% sim. error |")
    print(f"|{'-' * 68}|{'-' * 9}|{'-' * 9}|---------------|")
    for repeats, gain in ((1, False), (3, False), (5, False), (3, True)):
        by_case = naive = 0
        for _ in range(runs):
            base, cand = repeat_world(rng, 100, repeats, 0.7, gain)
            by_case += compare(base, cand, "accuracy", SETTINGS).outcome in ("improvement", "regression")
            flat_b, flat_c = Arm(base.passed), Arm(cand.passed)  # every sample its own case
            naive += compare(flat_b, flat_c, "accuracy", SETTINGS).outcome in ("improvement", "regression")
        what = "+10 pts: power" if gain else "no difference: any significant change (FPR)"
        print(rate_row(f"repeat {repeats}, {what}, by case (ours)", by_case, runs))
        print(rate_row(f"repeat {repeats}, {what}, samples independent (before)", naive, runs))
    print()
