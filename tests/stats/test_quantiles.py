"""Streaming latency quantiles: within 0.5% of the exact values, in constant memory."""

import random

import pytest

from promptops.stats.quantiles import StreamingQuantiles


def test_quantiles_are_within_half_a_percent_of_exact() -> None:
    rng = random.Random(12)
    values = [rng.lognormvariate(6.8, 0.6) for _ in range(20_000)] + [0.0] * 50
    hist = StreamingQuantiles()
    for v in values:
        hist.add(v)
    values.sort()
    for q in (0.5, 0.9, 0.95, 0.99):
        exact = values[round(q * (len(values) - 1))]
        assert hist.quantile(q) == pytest.approx(exact, rel=0.006)
    assert hist.quantile(0.0) == 0.0
    assert hist.mean == pytest.approx(sum(values) / len(values))
    assert hist.count == 20_050 and len(hist._buckets) < 1000


def test_empty_histogram_has_no_quantiles() -> None:
    assert StreamingQuantiles().quantile(0.5) is None and StreamingQuantiles().mean is None
