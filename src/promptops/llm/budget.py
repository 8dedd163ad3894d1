"""Budgets: stop before an HTTP attempt that could pass the allowed calls or dollars.

What a budget counts is HTTP attempts, retries included: a retried 429 or 529 is a request
the provider received, and a timed-out attempt may well have been processed and billed
in full, so `max_calls` caps requests sent and a timed-out attempt is settled at its
worst-case cost, never at 0.

A cost is only known after an attempt, so each attempt reserves its worst case first
(input tokens counted with tiktoken, with 1.5x headroom for the provider's own tokenizer,
at the input price, plus `max_tokens` at the output price) and settles to the real cost
when it returns. With many attempts in flight the reservations add up, so a budget is
never passed, however high the concurrency. Cached answers are free and never touch the
budget. One Budget may be shared by several clients.

The client opens a `CallMeter` for each call (reserving the first attempt) and makes it
the current meter while the provider runs; a provider that retries calls
`current_meter().retry(...)` before each further attempt. Providers without retries of
their own never touch it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from promptops.llm.errors import BudgetExceeded


@dataclass
class Budget:
    max_calls: int | None = None
    max_usd: float | None = None
    calls: int = 0  # HTTP attempts made or in flight, retries and failures included
    spent_usd: float = 0.0
    reserved_usd: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def reserve(self, worst_case_usd: float) -> float:
        """Claim one call and its worst-case cost, or raise BudgetExceeded without claiming."""
        with self._lock:
            if self.max_calls is not None and self.calls + 1 > self.max_calls:
                raise BudgetExceeded(
                    f"call budget reached: {self.calls} of {self.max_calls} calls used; the results so far "
                    "are kept (raise it with --budget-calls or optimizer.budget.calls)"
                )
            committed = self.spent_usd + self.reserved_usd
            if self.max_usd is not None and committed + worst_case_usd > self.max_usd:
                raise BudgetExceeded(
                    f"USD budget reached: ${committed:.4f} spent or reserved of ${self.max_usd:.4f}, and the "
                    f"next call could cost up to ${worst_case_usd:.4f}; the results so far are kept "
                    "(raise it with --budget-usd or optimizer.budget.usd)"
                )
            self.calls += 1
            self.reserved_usd += worst_case_usd
            return worst_case_usd

    def settle(self, reservation: float, actual_usd: float) -> None:
        """Replace a reservation by what the attempt cost (its worst case if it timed out)."""
        with self._lock:
            left = self.reserved_usd - reservation
            self.reserved_usd = left if left > 1e-12 else 0.0  # no float dust once all have settled
            self.spent_usd += actual_usd

    @property
    def limits_usd(self) -> bool:
        return self.max_usd is not None

    def open_call(self, worst_case_usd: float) -> CallMeter:
        """A meter for one call, its first attempt reserved (BudgetExceeded if that passes the budget)."""
        meter = CallMeter(self, worst_case_usd)
        meter.reservation = self.reserve(worst_case_usd)
        meter.attempts = 1
        return meter


@dataclass
class CallMeter:
    """One model call's HTTP attempts against a budget (or against none: then it only counts)."""

    budget: Budget | None = None
    worst_case_usd: float = 0.0
    attempts: int = 0
    reservation: float = 0.0

    def retry(self, *, timed_out: bool) -> None:
        """Settle the attempt that failed and reserve the next; BudgetExceeded if no room is left.

        A timed-out attempt is settled at its worst case: the server may have answered it in
        full after we stopped waiting, and billed it. An attempt answered with an error
        status (429, 529, 5xx) cost nothing.
        """
        self._settle(self.worst_case_usd if timed_out else 0.0)
        if self.budget is not None:
            self.reservation = self.budget.reserve(self.worst_case_usd)
        self.attempts += 1

    def finish(self, actual_usd: float | None, *, timed_out: bool = False) -> None:
        """Settle the last attempt: what it cost, its worst case if it timed out, else 0."""
        self._settle(self.worst_case_usd if timed_out else (actual_usd or 0.0))

    def _settle(self, usd: float) -> None:
        if self.budget is not None and self.attempts:
            self.budget.settle(self.reservation, usd)
        self.reservation = 0.0


_current_meter: ContextVar[CallMeter | None] = ContextVar("promptops_call_meter", default=None)


@contextlib.contextmanager
def metered(meter: CallMeter) -> Iterator[CallMeter]:
    """Make `meter` the current call's meter for the provider code running inside."""
    token = _current_meter.set(meter)
    try:
        yield meter
    finally:
        _current_meter.reset(token)


def current_meter() -> CallMeter:
    """The running call's meter; a free-standing one when no client opened any (direct provider use)."""
    meter = _current_meter.get()
    return meter if meter is not None else CallMeter(attempts=1)
