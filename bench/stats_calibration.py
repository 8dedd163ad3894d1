"""Calibration of promptops' decision rule against the seed's thresholds, by simulation.

1. Paired eval experiments: identical prompts (true pass rate 0.8) -> how often each rule calls
   an "improvement" (false positives); a true +10-point gain -> how often each finds it (power),
   at 100 and 300 cases.
2. Coverage of the paired ratio interval (tokens, latency) at n = 10, 20, 50, 200, against the
   percentile bootstrap it replaced; the time of McNemar's exact test on many discordant pairs.
3. Conciseness and speed: power at -15% and false positives per goal (bench/calibration_goals.py).
4. Repeats correlated within a case: false positives analysed by case vs as independent samples.
5. Production A/B checked every 50 log lines up to 20,000: false-positive rate of the always-valid
   mixture SPRT vs a naive two-proportion z-test repeated at every look.

Usage: PYTHONPATH=src python bench/stats_calibration.py [--quick] [--seed N]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # runnable without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibration_goals import goals_section, repeats_section  # noqa: E402
from calibration_intervals import coverage_section, mcnemar_section  # noqa: E402
from promptops.stats import Arm, DecisionSettings, compare  # noqa: E402
from promptops.stats.sequential import SequentialTest  # noqa: E402
from promptops.stats.unpaired import two_proportion_z  # noqa: E402

SETTINGS = DecisionSettings()  # alpha 0.05, the documented defaults


@dataclass
class Experiment:
    base: Arm
    cand: Arm


def simulate(rng: random.Random, cases: int, gain: bool) -> Experiment:
    """One paired eval: per-case difficulty shared by both prompts, independent sampling noise.

    Case pass probabilities are Beta(4, 1) (mean 0.8). With `gain`, the candidate fixes half of
    each case's failure probability: p' = p + 0.5 (1 - p), a true +10 points on average.
    Tokens and latency have a per-case size and the same multiplicative noise for both prompts.
    """
    base_pass, cand_pass, base_tok, cand_tok, base_lat, cand_lat = [], [], [], [], [], []
    for _ in range(cases):
        p = rng.betavariate(4, 1)
        p_cand = p + 0.5 * (1 - p) if gain else p
        size = rng.lognormvariate(6, 0.5)
        base_pass.append(rng.random() < p)
        cand_pass.append(rng.random() < p_cand)
        base_tok.append(size * rng.gauss(1, 0.15))
        cand_tok.append(size * rng.gauss(1, 0.15))
        base_lat.append(3 * size * rng.gauss(1, 0.3))
        cand_lat.append(3 * size * rng.gauss(1, 0.3))
    base = Arm(base_pass, tokens=base_tok, latency_ms=base_lat)
    cand = Arm(cand_pass, tokens=cand_tok, latency_ms=cand_lat)
    return Experiment(base, cand)


def seed_rule(exp: Experiment) -> bool:
    """The seed's rule: +2 points success, or 5% lower latency, or 10% fewer tokens."""
    n = len(exp.base.passed)
    gain = (sum(exp.cand.passed) - sum(exp.base.passed)) / n
    latency = sum(exp.cand.latency_ms) < 0.95 * sum(exp.base.latency_ms)
    tokens = sum(exp.cand.tokens) < 0.90 * sum(exp.base.tokens)
    return gain > 0.02 or latency or tokens


def our_rule(exp: Experiment, goal: str = "accuracy", settings: DecisionSettings = SETTINGS) -> bool:
    if goal == "accuracy":  # pass/fail only: the usage ratios play no part in this goal's decision
        exp = Experiment(Arm(exp.base.passed), Arm(exp.cand.passed))
    else:
        exp = Experiment(
            Arm(exp.base.passed, tokens=exp.base.tokens), Arm(exp.cand.passed, tokens=exp.cand.tokens)
        )
    return compare(exp.base, exp.cand, goal, settings).outcome == "improvement"


def rate_row(label: str, hits: int, runs: int) -> str:
    rate = hits / runs
    se = math.sqrt(rate * (1 - rate) / runs)
    return f"| {label:<66} | {runs:>7,} | {rate:>7.3f} | ±{1.96 * se:.3f} |"


def paired_section(rng: random.Random, runs: int) -> None:
    print("## Paired eval decisions (true pass rate 0.8)\n")
    print(f"| {'scenario / rule':<66} | {'runs':>7} | {'rate':>7} | 95% sim. error |")
    print(f"|{'-' * 68}|{'-' * 9}|{'-' * 9}|---------------|")
    for cases, gain, what in ((100, False, "false positives"), (100, True, "power"), (300, True, "power")):
        exps = [simulate(rng, cases, gain) for _ in range(runs)]
        scenario = f"{'identical' if not gain else '+10 pts'}, {cases} cases: {what}"
        print(rate_row(f"{scenario}, seed rule", sum(map(seed_rule, exps)), runs))
        print(rate_row(f"{scenario}, ours (accuracy)", sum(map(our_rule, exps)), runs))
    print()


def sequential_run(
    rng: random.Random, p_base: float, p_cand: float, every: int, total: int
) -> tuple[int, int]:
    """Lines at which each test first rejects (0 = never): (always-valid, naive z-test)."""
    test = SequentialTest()
    bs = bn = cs = cn = 0
    valid_at = naive_at = 0
    rand = rng.random
    for looked in range(every, total + 1, every):
        for _ in range(every):
            if rand() < 0.5:
                bn += 1
                bs += rand() < p_base
            else:
                cn += 1
                cs += rand() < p_cand
        if not valid_at and test.look(bs, bn, cs, cn) < 0.05:
            valid_at = looked
        if not naive_at and bn and cn and two_proportion_z(bs, bn, cs, cn)[1] < 0.05:
            naive_at = looked
        if valid_at and naive_at:
            break
    return valid_at, naive_at


def sequential_section(rng: random.Random, runs: int) -> None:
    print("## Sequential A/B from logs (looked at every 50 lines, up to 20,000 lines)\n")
    print(
        f"| {'scenario / test':<66} | {'runs':>7} | {'rate':>7} | 95% sim. error | median lines to reject |"
    )
    print(f"|{'-' * 68}|{'-' * 9}|{'-' * 9}|---------------|------------------------|")
    for p_cand, what in ((0.80, "false positives"), (0.83, "power")):
        results = [sequential_run(rng, 0.80, p_cand, 50, 20_000) for _ in range(runs)]
        for index, name in ((0, "always-valid mSPRT"), (1, "naive repeated z-test")):
            stops = sorted(r[index] for r in results if r[index])
            median = f"{stops[len(stops) // 2]:,}" if stops else "-"
            label = f"0.80 vs {p_cand:.2f}: {what}, {name}"
            print(f"{rate_row(label, len(stops), runs)} {median:>22} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer simulations (under a minute)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.quick:
        runs, cover, boot, goal, rep, seq = 1_000, 600, (100, 300, (10, 20)), 300, 300, 200
    else:
        runs, cover, boot, goal, rep, seq = (
            10_000,
            4_000,
            (1_000, 1_000, (10, 20, 50, 200)),
            2_000,
            2_000,
            2_000,
        )
    rng = random.Random(args.seed)
    print(f"# promptops statistics calibration ({'quick' if args.quick else 'full'}, seed {args.seed})\n")
    started = time.perf_counter()
    paired_section(rng, runs)
    coverage_section(rng, cover, *boot)
    mcnemar_section(3_000 if args.quick else 10_000)
    goals_section(rng, goal, rate_row)
    repeats_section(rng, rep, rate_row)
    sequential_section(rng, seq)
    print(f"alpha = {SETTINGS.alpha}; took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
