"""Approximate quantiles in constant memory, for latency over logs of millions of lines.

Values fall into logarithmic buckets 1% wide (a relative error of at most 0.5% on any
quantile), so p50/p95 of a gigabyte of logs need a few kilobytes instead of a list of floats.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

_GROWTH = 1.01
_LOG_GROWTH = math.log(_GROWTH)


@dataclass
class StreamingQuantiles:
    """Count, sum and log-bucketed histogram of non-negative values."""

    count: int = 0
    total: float = 0.0
    _buckets: Counter[int] = field(default_factory=Counter)
    _zeros: int = 0

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        if value <= 0:
            self._zeros += 1
        else:
            self._buckets[math.floor(math.log(value) / _LOG_GROWTH)] += 1

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def quantile(self, q: float) -> float | None:
        """The q-quantile (0 <= q <= 1), to within 0.5%; None when empty."""
        if not self.count:
            return None
        rank = q * (self.count - 1)
        seen = self._zeros
        if rank < seen:
            return 0.0
        for bucket in sorted(self._buckets):
            seen += self._buckets[bucket]
            if rank < seen:
                # the geometric middle of the bucket: at most half a bucket (0.5%) away
                return _GROWTH ** (bucket + 0.5)
        return _GROWTH ** (max(self._buckets) + 0.5)
