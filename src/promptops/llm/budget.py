"""Budgets: stop before a call that could pass the allowed calls or dollars.

A cost is only known after a call, so each call reserves its worst case first (input
tokens counted with tiktoken, with 1.5x headroom for the provider's own tokenizer, at
the input price, plus `max_tokens` at the output price)
and settles to the real cost when it returns. With many calls in flight the reservations
add up, so a budget is never passed, however high the concurrency. Cached answers are
free and never touch the budget. One Budget may be shared by several clients.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from promptops.llm.errors import BudgetExceeded


@dataclass
class Budget:
    max_calls: int | None = None
    max_usd: float | None = None
    calls: int = 0  # made or in flight, failures included: they were calls
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
        """Replace a reservation by what the call cost (0 for a call that failed)."""
        with self._lock:
            left = self.reserved_usd - reservation
            self.reserved_usd = left if left > 1e-12 else 0.0  # no float dust once all have settled
            self.spent_usd += actual_usd

    @property
    def limits_usd(self) -> bool:
        return self.max_usd is not None
