"""Summary statistics of one run: pass rate with its Wilson interval, errors, latency, usage.

Errors count as "not passed" in the pass rate (a run whose provider fell over must not
look green) and are reported on their own as the error rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    )
