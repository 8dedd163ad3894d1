"""How selection scores a candidate against the base on dev cases, and ranks the scores.

Ranking follows the goal the confirmation will judge, so the candidate carried forward
is the one most likely to pass it.
"""

from __future__ import annotations

from collections.abc import Sequence

from promptops.optimize.search_records import BASE, DevScore, ResultStore
from promptops.stats import DecisionSettings, paired_arms


def dev_score(store: ResultStore, label: str, cases: Sequence[str], goal: str) -> DevScore:
    """`label` against the base on the samples of `cases` both have."""
    base_arm, cand_arm = paired_arms(store.on(BASE, cases), store.on(label, cases))
    pairs = [(b, c) for b, c in zip(base_arm.passed, cand_arm.passed, strict=True) if None not in (b, c)]
    n = len(pairs)
    focus = [
        int(c) - int(b)
        for b, c, tags in zip(base_arm.passed, cand_arm.passed, base_arm.tags, strict=True)
        if None not in (b, c) and goal in tags
    ]
    return DevScore(
        samples=n,
        pass_rate=sum(c for _, c in pairs) / n if n else 0.0,
        base_pass_rate=sum(b for b, _ in pairs) / n if n else 0.0,
        tokens_ratio=_ratio(cand_arm.tokens, base_arm.tokens),
        latency_ratio=_ratio(cand_arm.latency_ms, base_arm.latency_ms),
        discordant=sum(b != c for b, c in pairs),
        focus_diff=sum(focus) / len(focus) if focus else None,
    )


def rank(score: DevScore, goal: str, decision: DecisionSettings) -> tuple[float, ...]:
    """Bigger is better. Pass-rate goals rank by the paired gain (for clarity and safety on
    the cases tagged with the goal first, as `compare` judges them; fewer tokens break ties);
    conciseness/speed rank by the metric's ratio among candidates whose pass rate is not
    clearly down (by more than min_success_delta plus one standard error: on a first batch
    of a few cases a single unlucky case must not knock out the shortest candidate), and
    put the rest after, by pass rate."""
    if goal in ("conciseness", "speed"):
        ratio = score.tokens_ratio if goal == "conciseness" else score.latency_ratio
        tolerance = decision.min_success_delta + score.pass_diff_se
        within = score.pass_diff >= -tolerance
        return (1.0, -(ratio or 1.0)) if within else (0.0, score.pass_diff)
    focus = score.focus_diff if score.focus_diff is not None else score.pass_diff
    return (focus, score.pass_diff, -(score.tokens_ratio or 1.0))


def _ratio(candidate: Sequence[float], base: Sequence[float]) -> float | None:
    total = sum(base)
    return sum(candidate) / total if candidate and total else None
