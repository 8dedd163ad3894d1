"""Canary rollouts over many simulated productions: how often a worse candidate is promoted,
how often a good one is aborted, and how many calls a bad candidate serves before the abort.

Each simulated rollout runs the real decision code (`promptops.logs.rollout_analysis.decide_step`)
with steps 5 -> 25 -> 50 -> promote. Traffic arrives in batches (one scheduled check per
batch, `--calls-per-check`); the sequential rule looks after every batch and may abort at
any look. Beside it, a fixed-horizon rule that looks once per step, when both arms reach
the step's minimum, with a one-sided z-test at the same alpha (what a team would do with a
plain A/B test). Worlds: the candidate equal to the stable prompt, and 2 and 5 points worse.

Targets: a worse candidate promoted in at most 5% of rollouts; the equal candidate aborted in
at most alpha of them; the sequential rule serving fewer calls to a bad candidate than the
fixed-horizon one. A rule that never promotes would "win" the first target, so the table
also shows how often the equal candidate is promoted (it must be most of the time).

Usage: PYTHONPATH=src python bench/rollout.py [--quick] [--rollouts N]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from promptops.logs.rollout_analysis import ArmTally, decide_step  # noqa: E402
from promptops.repo.rollouts import RolloutAnalysis  # noqa: E402

STEPS = (5.0, 25.0, 50.0, 100.0)
STABLE_RATE = 0.92


@dataclass
class Result:
    outcome: str  # promoted | aborted | unfinished
    candidate_calls: int  # calls the candidate served in the whole rollout
    max_weight: float


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw, by the normal approximation when n is large (fast, and exact enough here)."""
    if n < 50:
        return sum(rng.random() < p for _ in range(n))
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    return max(0, min(n, round(rng.gauss(mean, sd))))


def sequential_rollout(rng: random.Random, p_cand: float, analysis: RolloutAnalysis, batch: int) -> Result:
    served = 0
    for i, weight in enumerate(STEPS[:-1]):
        next_weight = STEPS[i + 1]
        n_s = s_s = n_c = s_c = 0
        for _ in range(10_000):  # bounded: a step ends long before this
            c = binomial(rng, batch, weight / 100)
            n_c, s_c = n_c + c, s_c + binomial(rng, c, p_cand)
            n_s, s_s = n_s + batch - c, s_s + binomial(rng, batch - c, STABLE_RATE)
            served += c
            stable, cand = ArmTally.from_counts(n_s, s_s), ArmTally.from_counts(n_c, s_c)
            outcome, _, _, _ = decide_step(stable, cand, weight, next_weight, analysis)
            if outcome == "abort":
                return Result("aborted", served, weight)
            if outcome in ("advance", "promote"):
                break
        else:
            return Result("unfinished", served, weight)
        if outcome == "promote":
            return Result("promoted", served, next_weight)
    return Result("promoted", served, 100.0)


def fixed_horizon_rollout(rng: random.Random, p_cand: float, analysis: RolloutAnalysis) -> Result:
    """One look per step, once both arms have min_samples: a one-sided z-test for a drop."""
    served = 0
    z = statistics.NormalDist().inv_cdf(1 - analysis.alpha)
    for weight in STEPS[:-1]:
        share = weight / 100
        total = math.ceil(analysis.min_samples / min(share, 1 - share))
        n_c = binomial(rng, total, share)
        n_s = total - n_c
        p_c, p_s = binomial(rng, n_c, p_cand) / n_c, binomial(rng, n_s, STABLE_RATE) / n_s
        served += n_c
        se = math.sqrt(p_c * (1 - p_c) / n_c + p_s * (1 - p_s) / n_s) or 1e-9
        if (p_s - p_c) / se > z:
            return Result("aborted", served, weight)
    return Result("promoted", served, 100.0)


def summarise(results: list[Result]) -> tuple[float, float, float | None, float]:
    n = len(results)
    promoted = sum(r.outcome == "promoted" for r in results) / n
    aborted = sum(r.outcome == "aborted" for r in results) / n
    abort_calls = [r.candidate_calls for r in results if r.outcome == "aborted"]
    reached_50 = sum(r.max_weight >= 50 for r in results) / n
    return promoted, aborted, statistics.median(abort_calls) if abort_calls else None, reached_50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 rollouts per row (default 1000)")
    parser.add_argument("--rollouts", type=int)
    parser.add_argument("--calls-per-check", type=int, default=2000)
    args = parser.parse_args()
    rollouts = args.rollouts or (200 if args.quick else 1000)
    worlds = [("equal", 0.0), ("-2 points", 0.02), ("-5 points", 0.05)]
    # min_samples per arm, and the smallest drop that size is meant to catch
    configs = [(1000, 0.05), (5000, 0.02)]
    print(
        f"{rollouts} rollouts per row, stable success {STABLE_RATE:.0%}, steps 5/25/50 -> promote, "
        "alpha 0.05, "
        f"a check every {args.calls_per_check:,} calls\n"
    )
    header = (
        f"{'min/arm':>7} {'world':<10} {'rule':<14} {'promoted':>9} {'aborted':>8} {'reached 50%':>12} "
        f"{'median calls to abort':>22}"
    )
    print(header)
    print("-" * len(header))
    started = time.perf_counter()
    targets: list[tuple[str, bool]] = []
    for min_samples, sized_for in configs:
        analysis = RolloutAnalysis(min_samples=min_samples, alpha=0.05)
        for name, drop in worlds:
            rng = random.Random(min_samples * 100 + round(drop * 100))
            p_cand = STABLE_RATE - drop
            seq = [sequential_rollout(rng, p_cand, analysis, args.calls_per_check) for _ in range(rollouts)]
            fixed = [fixed_horizon_rollout(rng, p_cand, analysis) for _ in range(rollouts)]
            for rule, results in (("sequential", seq), ("fixed horizon", fixed)):
                promoted, aborted, calls, reached = summarise(results)
                shown = f"{calls:,.0f}" if calls is not None else "-"
                print(
                    f"{min_samples:>7,} {name:<10} {rule:<14} {promoted:>9.1%} {aborted:>8.1%} "
                    f"{reached:>12.1%} "
                    f"{shown:>22}"
                )
            targets += _targets(min_samples, sized_for, name, drop, seq, fixed)
    print(f"\n{time.perf_counter() - started:.1f} s")
    for label, ok in targets:
        print(f"  [{'met' if ok else 'MISSED'}] {label}")
    print(
        "  (a drop smaller than a size's target, e.g. -2 points at 1,000 per arm, is not a target: "
        "raise min_samples)"
    )
    return 0 if all(ok for _, ok in targets) else 1


def _targets(
    min_samples: int, sized_for: float, name: str, drop: float, seq: list[Result], fixed: list[Result]
) -> list[tuple[str, bool]]:
    promoted, aborted, calls, _ = summarise(seq)
    where = f"min {min_samples:,}/arm, {name}"
    if drop == 0:
        return [
            (f"{where}: equal candidate aborted <= alpha ({aborted:.1%})", aborted <= 0.05),
            (
                f"{where}: equal candidate promoted >= 90% ({promoted:.1%}; the rule is not 'never promote')",
                promoted >= 0.9,
            ),
        ]
    if drop + 1e-9 < sized_for:
        return []
    fixed_calls = summarise(fixed)[2]
    out = [(f"{where}: worse candidate promoted <= 5% ({promoted:.1%})", promoted <= 0.05)]
    if calls is not None and fixed_calls is not None:
        out.append(
            (
                f"{where}: fewer calls on the bad candidate before the abort than fixed horizon "
                f"({calls:,.0f} vs {fixed_calls:,.0f})",
                calls < fixed_calls,
            )
        )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
