"""The usage ledger: what every call through a client cost, cached or not.

Reports print it so a reader sees how many calls a result took, how many came from the
cache, which provider answered (an echo dry run says so) and what was spent.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from promptops.llm.types import Completion


@dataclass
class UsageTotals:
    """Counts for one provider or for all. `cost_usd` and `latency_ms` are of calls that
    reached the provider; `saved_usd` is what the cached ones cost when first made."""

    calls: int = 0
    cached_calls: int = 0
    batched_calls: int = 0  # answered by a Message Batch (at the batch price)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    saved_usd: float = 0.0
    latency_ms: float = 0.0
    errors: int = 0

    def add(self, completion: Completion) -> None:
        self.calls += 1
        self.input_tokens += completion.input_tokens
        self.output_tokens += completion.output_tokens
        self.batched_calls += int(completion.batched and not completion.cached)
        if completion.cached:
            self.cached_calls += 1
            self.saved_usd += completion.cost_usd
        else:
            self.cost_usd += completion.cost_usd
            self.latency_ms += completion.latency_ms


@dataclass
class UsageLedger(UsageTotals):
    """Every call made through one or more clients: totals plus a breakdown per provider."""

    by_provider: dict[str, UsageTotals] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, completion: Completion) -> None:
        name = completion.provider or "unknown"
        with self._lock:
            self.add(completion)
            totals = self.by_provider.get(name)
            if totals is None:
                totals = self.by_provider[name] = UsageTotals()
            totals.add(completion)

    def record_error(self, provider: str) -> None:
        with self._lock:
            self.errors += 1
            self.by_provider.setdefault(provider, UsageTotals()).errors += 1

    @property
    def providers(self) -> list[str]:
        """Names of the providers that answered, e.g. ["echo"] for a dry run."""
        return sorted(self.by_provider)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in UsageTotals.__dataclass_fields__}
        data["by_provider"] = {name: asdict(t) for name, t in sorted(self.by_provider.items())}
        return data

    def summary(self) -> str:
        """One line for reports, e.g.

        `12 calls (3 cached, 0 errors) via anthropic; 4,100 in / 900 out tokens; $0.0261`
        """
        return (
            f"{self.calls} call{'' if self.calls == 1 else 's'} "
            f"({self.cached_calls} cached, {self.errors} errors) via "
            f"{', '.join(self.providers) or 'no provider'}; {self.input_tokens:,} in / "
            f"{self.output_tokens:,} out tokens; ${self.cost_usd:.4f}"
            + (f" ({self.batched_calls} by Message Batches at half price)" if self.batched_calls else "")
        )
