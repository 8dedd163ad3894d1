"""The one retry policy of the providers: which failures to retry and how long to wait.

Both providers run their own retry loop (the anthropic SDK's retries are switched off) so
that every HTTP attempt passes through the call's budget meter (see llm/budget.py): a retry
is a request the provider received, and a timed-out one may have been billed in full.
The curve is the anthropic SDK's: exponential from 0.5 s up to 8 s with jitter, or what the
server asks for in `retry-after-ms` / `retry-after`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

RETRY_STATUSES = frozenset({408, 409, 429})
INITIAL_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
MAX_RETRY_AFTER_S = 60.0


def retryable_status(status: int, headers: Mapping[str, str] | None = None) -> bool:
    """408, 409, 429 and 5xx (529 overloaded included), unless the server says `x-should-retry`."""
    should = (headers or {}).get("x-should-retry")
    if should in ("true", "false"):
        return should == "true"
    return status in RETRY_STATUSES or status >= 500


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms` or numeric `retry-after`), if sane."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(headers[name]) * scale
        except (KeyError, ValueError, TypeError):
            continue
        if 0 <= seconds <= MAX_RETRY_AFTER_S:
            return seconds
    return None


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter, the same curve the anthropic SDK uses."""
    return min(INITIAL_BACKOFF_S * 2**attempt, MAX_BACKOFF_S) * (1 - 0.25 * random.random())
