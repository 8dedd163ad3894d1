"""Summary statistics of one run: pass rate with its Wilson interval, errors, latency, usage.

Errors count as "not passed" in the pass rate (a run whose provider fell over must not
look green) and are reported on their own as the error rate.

With repeats, the pass rate hides how consistent a prompt is: 90% can be every case passing
9 times in 10 or 10% of cases never passing. So a run also says how many cases are flaky
(passed some repeats and not others) and pass^k, the share of cases that passed all k of
their repeats (tau-bench's measure of reliability, which promptfoo users ask for).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from promptops.stats.intervals import wilson_interval


@dataclass(frozen=True)
class RunSummary:
    cases: int  # distinct case ids with at least one result
    samples: int  # results: cases x repeats that finished
    planned: int  # cases x repeats the run set out to do
    passed: int
    failed: int
    errors: int
    pass_rate: float
    pass_rate_low: float  # Wilson 95% interval
    pass_rate_high: float
    error_rate: float
    latency_mean_ms: float
    latency_p50_ms: float
    latency_p95_ms: float
    input_tokens: int
    output_tokens: int
    cost_usd: float
    repeats: int = 1  # most repeats of any case
    flaky_cases: int = 0  # cases that passed some repeats and not others
    pass_all_repeats: float | None = None  # pass^k, k = repeats: share of cases passing every repeat


@dataclass(frozen=True)
class Consistency:
    repeats: int
    flaky_cases: int
    pass_all_repeats: float | None


def consistency(outcomes: Iterable[tuple[str, bool | None]]) -> Consistency:
    """Per-case consistency over (case id, passed) results; an error counts as not passed."""
    by_case: dict[str, list[bool]] = {}
    for case_id, passed in outcomes:
        by_case.setdefault(case_id, []).append(passed is True)
    repeats = max((len(v) for v in by_case.values()), default=1)
    flaky = sum(1 for v in by_case.values() if any(v) and not all(v))
    if repeats < 2:
        return Consistency(repeats, flaky, None)
    return Consistency(repeats, flaky, sum(1 for v in by_case.values() if all(v)) / len(by_case))


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarize(
    outcomes: Sequence[bool | None],
    latencies_ms: Sequence[float],
    input_tokens: int,
    output_tokens: int,
    cost_usd: float,
    *,
    cases: int,
    planned: int,
    repeats: Consistency | None = None,
) -> RunSummary:
    """Figures for one run; latency is over the samples whose model call succeeded."""
    n = len(outcomes)
    passed = sum(1 for o in outcomes if o is True)
    errors = sum(1 for o in outcomes if o is None)
    low, high = wilson_interval(passed, n)
    return RunSummary(
        cases=cases,
        samples=n,
        planned=planned,
        passed=passed,
        failed=n - passed - errors,
        errors=errors,
        pass_rate=passed / n if n else 0.0,
        pass_rate_low=low,
        pass_rate_high=high,
        error_rate=errors / n if n else 0.0,
        latency_mean_ms=sum(latencies_ms) / len(latencies_ms) if latencies_ms else 0.0,
        latency_p50_ms=percentile(latencies_ms, 50),
        latency_p95_ms=percentile(latencies_ms, 95),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost_usd,
        repeats=repeats.repeats if repeats else 1,
        flaky_cases=repeats.flaky_cases if repeats else 0,
        pass_all_repeats=repeats.pass_all_repeats if repeats else None,
    )
