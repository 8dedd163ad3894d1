"""Sections of bench/stats_calibration.py about intervals and exact tests, side by side with
what they replaced: coverage of the paired ratio interval at small n (t interval on per-case
log ratios vs the percentile bootstrap of the ratio of means) and the time McNemar's exact
test takes on many discordant pairs (saddle-point tail sum vs the integer binomial sum).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from promptops.stats.binomial import two_sided_sign_test
from promptops.stats.ratios import paired_log_ratio

Pairs = list[tuple[float, float]]
TRUE_RATIO = 0.85


def tokens_world(rng: random.Random, n: int) -> Pairs:
    """Per-case size lognormal(6, 0.5), the same Gaussian noise (sd 15%) on both prompts."""
    out = []
    for _ in range(n):
        size = rng.lognormvariate(6, 0.5)
        out.append((size * rng.gauss(1, 0.15), TRUE_RATIO * size * rng.gauss(1, 0.15)))
    return out


def latency_world(rng: random.Random, n: int) -> Pairs:
    """Heavier: size lognormal(7, 0.8), multiplicative lognormal(0, 0.4) noise on each side."""
    out = []
    for _ in range(n):
        size = rng.lognormvariate(7, 0.8)
        out.append((size * rng.lognormvariate(0, 0.4), TRUE_RATIO * size * rng.lognormvariate(0, 0.4)))
    return out


SKEW_TRUTH = TRUE_RATIO * math.exp(-(0.05**2) / 2 - 3 * 0.05**4 / 4)  # E log N(1, .05) to 4th order


def skewed_world(rng: random.Random, n: int) -> Pairs:
    """The hard case: per-case log ratios skewed (a few cases shrink a lot, most a little)."""
    out = []
    for _ in range(n):
        size = rng.lognormvariate(6, 0.5)
        shift = 0.3 * (rng.expovariate(1) - 1)
        out.append((size, size * TRUE_RATIO * math.exp(shift) * rng.gauss(1, 0.05)))
    return out


def percentile_bootstrap(pairs: Pairs, rng: random.Random, resamples: int) -> tuple[float, float]:
    """The previous method: percentile interval of the resampled ratio of means."""
    b = [p[0] for p in pairs]
    c = [p[1] for p in pairs]
    ratios = []
    for _ in range(resamples):
        pick = rng.choices(range(len(b)), k=len(b))
        ratios.append(sum(c[i] for i in pick) / sum(b[i] for i in pick))
    ratios.sort()
    return ratios[int(0.025 * resamples)], ratios[int(0.975 * resamples) - 1]


def ours(pairs: Pairs) -> tuple[float, float]:
    est = paired_log_ratio([p[0] for p in pairs], [p[1] for p in pairs])
    assert est is not None
    return est.low, est.high


def _cell(misses_low: int, misses_high: int, runs: int) -> str:
    cover = 1 - (misses_low + misses_high) / runs
    return f"{cover:.3f} ({misses_low / runs:.3f}/{misses_high / runs:.3f})"


def coverage_section(
    rng: random.Random, runs: int, boot_runs: int, resamples: int, boot_sizes: tuple[int, ...]
) -> None:
    """Coverage of the 95% ratio interval; in brackets the share of intervals entirely above the
    truth (a false "rose") / entirely below it (a false "fell"), 0.025 each at nominal."""
    print("## Paired ratio interval: coverage of the true ratio (nominal 0.95)\n")
    print(
        f"{runs:,} runs per cell for ours; {boot_runs:,} for the bootstrap ({resamples:,} resamples), "
        "which estimates the ratio of means: the same as the geometric mean in the first two worlds, "
        "not in the skewed one, so it is not run there. (share above / below the truth)\n"
    )
    worlds: list[tuple[str, Callable[[random.Random, int], Pairs], float, bool]] = [
        ("tokens (Gaussian noise)", tokens_world, TRUE_RATIO, True),
        ("latency (lognormal noise)", latency_world, TRUE_RATIO, True),
        ("skewed per-case ratios", skewed_world, SKEW_TRUTH, False),
    ]
    sizes = (10, 20, 50, 200)
    header = " | ".join(f"{'n = ' + str(n):<19}" for n in sizes)
    print(f"| {'world':<26} | {'interval':<22} | {header} |")
    print(f"|{'-' * 28}|{'-' * 24}|" + "|".join("-" * 21 for _ in sizes) + "|")
    for name, world, truth, with_bootstrap in worlds:
        methods = [("t, log ratios (ours)", runs, sizes)]
        if with_bootstrap:
            methods.append(("percentile bootstrap", boot_runs, boot_sizes))
        for label, count, measured in methods:
            cells = []
            for n in sizes:
                if n not in measured:
                    cells.append(f"{'(not run)':<19}")
                    continue
                low_miss = high_miss = 0
                for _ in range(count):
                    pairs = world(rng, n)
                    if label.startswith("t"):
                        low, high = ours(pairs)
                    else:
                        low, high = percentile_bootstrap(pairs, rng, resamples)
                    low_miss += low > truth
                    high_miss += high < truth
                cells.append(f"{_cell(low_miss, high_miss, count):<19}")
            print(f"| {name:<26} | {label:<22} | {' | '.join(cells)} |")
    print()


def integer_sign_test(k: int, n: int) -> float:
    """The previous McNemar: exact integer sum of binomial coefficients (quadratic in n)."""
    smaller = min(k, n - k)
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(smaller + 1)) / 2**n)


def _best_time(fn: Callable[[], float], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def mcnemar_section(old_up_to: int) -> None:
    print("## McNemar exact test: time for one p-value (best of 5), k = 49.5% of the discordant pairs\n")
    print(f"| {'discordant pairs':>16} | {'ours (ms)':>10} | {'integer sum (ms)':>16} | {'ratio':>8} |")
    print(f"|{'-' * 18}|{'-' * 12}|{'-' * 18}|{'-' * 10}|")
    for n in (1_000, 3_000, 10_000, 100_000, 1_000_000):
        k = int(n * 0.495)
        new = _best_time(lambda n=n, k=k: two_sided_sign_test(k, n), 5)
        if n <= old_up_to:
            old = _best_time(lambda n=n, k=k: integer_sign_test(k, n), 1 if n > 2_000 else 5)
            assert math.isclose(integer_sign_test(k, n), two_sided_sign_test(k, n), rel_tol=1e-10)
            old_cell, ratio = f"{old * 1e3:,.1f}", f"{old / new:,.0f}x"
        else:
            old_cell, ratio = "(not run)", "-"
        print(f"| {n:>16,} | {new * 1e3:>10.3f} | {old_cell:>16} | {ratio:>8} |")
    print()
