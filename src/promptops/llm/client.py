"""LLMClient: the one door to every model.

Everything that calls a model (the eval runner, the judge, the analyzer, the variant
writer) holds an LLMClient. It shares one concurrency limit per provider across the
process; the cache, budget and usage ledger sit here too so no caller can bypass them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any

from promptops.llm.providers import Provider
from promptops.llm.types import Completion, CompletionRequest


@dataclass
class UsageLedger:
    """Every call made through a client, cached or not."""

    calls: int = 0
    cached_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    errors: int = 0

    def record(self, completion: Completion) -> None:
        self.calls += 1
        self.cached_calls += int(completion.cached)
        self.input_tokens += completion.input_tokens
        self.output_tokens += completion.output_tokens
        self.cost_usd += completion.cost_usd
        self.latency_ms += completion.latency_ms

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LLMClient:
    provider: Provider
    max_concurrency: int = 8
    ledger: UsageLedger = field(default_factory=UsageLedger)
    _semaphore: asyncio.Semaphore | None = field(default=None, repr=False)

    async def complete(self, request: CompletionRequest) -> Completion:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        async with self._semaphore:
            started = time.perf_counter()
            completion = await self.provider.complete(request)
        if not completion.latency_ms:
            completion = replace(completion, latency_ms=(time.perf_counter() - started) * 1000)
        self.ledger.record(completion)
        return completion

    async def aclose(self) -> None:
        await self.provider.aclose()
