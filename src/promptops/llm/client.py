"""LLMClient: the one door to every model.

Everything that calls a model (the eval runner, the judge, the analyzer, the variant
writer) holds an LLMClient. Per call it: answers from the response cache when it can
(free, no budget, no provider call); otherwise waits for a slot of the provider's
process-wide concurrency limit, reserves the call's worst-case cost in the budget, calls
the provider, and records the result in the cache and the usage ledger. No caller can bypass these.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace

from promptops.config import Config
from promptops.errors import ConfigError
from promptops.llm.budget import Budget
from promptops.llm.cache import ResponseCache, cache_key, cache_path
from promptops.llm.errors import LLMError, UnknownProvider
from promptops.llm.limits import ProcessLimit, shared_limit
from promptops.llm.pricing import PriceTable
from promptops.llm.providers import Provider, make_provider
from promptops.llm.providers.echo import render_transcript
from promptops.llm.settings import configured_models, provider_settings
from promptops.llm.types import DEFAULT_MAX_TOKENS, Completion, CompletionRequest
from promptops.llm.usage import UsageLedger
from promptops.repo.tokens import count_tokens

__all__ = ["LLMClient", "UsageLedger", "client_from_config"]


@dataclass
class LLMClient:
    provider: Provider
    max_concurrency: int = 8
    ledger: UsageLedger = field(default_factory=UsageLedger)
    cache: ResponseCache | None = None
    budget: Budget | None = None
    prices: PriceTable = field(default_factory=lambda: PriceTable.from_config(None))
    configured_models: tuple[str, ...] = ()
    model: str = ""  # the configured model of this client's section, for callers building requests
    _limit: ProcessLimit | None = field(default=None, repr=False)

    @property
    def limit(self) -> ProcessLimit:
        """This provider endpoint's limit, shared with every other client in the process."""
        if self._limit is None:
            self._limit = shared_limit(self.provider.name, self.provider.base_url, self.max_concurrency)
        return self._limit

    async def complete(self, request: CompletionRequest) -> Completion:
        key = cache_key(self.provider.name, self.provider.base_url, request) if self.cache else None
        if key is not None and self.cache is not None and (hit := self.cache.get(key)) is not None:
            self.ledger.record(hit)
            return hit
        async with self.limit:
            # Reserve only once a slot is ours: calls queued behind the limit hold no budget,
            # so a USD budget smaller than "every queued call at worst case" still runs.
            reservation = self.budget.reserve(self._worst_case_usd(request)) if self.budget else 0.0
            completion = None
            try:
                completion = await self._call_provider(request)
            finally:
                if self.budget is not None:
                    self.budget.settle(reservation, completion.cost_usd if completion else 0.0)
        if key is not None and self.cache is not None:
            self.cache.put(key, completion)
        self.ledger.record(completion)
        return completion

    async def _call_provider(self, request: CompletionRequest) -> Completion:
        try:
            completion = await self.provider.complete(request)
        except UnknownProvider as exc:
            self.ledger.record_error(self.provider.name)
            raise UnknownProvider(
                f"{exc}; configured models: {', '.join(self.configured_models) or 'none'}; "
                f"priced models: {', '.join(self.prices.known_models())}"
            ) from None
        except LLMError as exc:
            self.ledger.record_error(self.provider.name)
            exc.succeeded_calls = self.ledger.calls
            raise
        return replace(
            completion,
            provider=completion.provider or self.provider.name,
            model=completion.model or request.model,
        )

    def _worst_case_usd(self, request: CompletionRequest) -> float:
        """The most this call can cost: its input at the input price plus max_tokens of output."""
        if self.budget is None or self.budget.max_usd is None or getattr(self.provider, "is_free", False):
            return 0.0
        price = self.prices.lookup(request.model)
        if price is None:
            raise ConfigError(
                f"no price for model '{request.model}', so a USD budget cannot be enforced; add "
                f"`pricing: {{{request.model}: {{input: ..., output: ...}}}}` (USD per million tokens) to "
                f".promptops.yaml (priced models: {', '.join(self.prices.known_models())})"
            )
        schemas = json.dumps([t.input_schema for t in request.tools]) if request.tools else ""
        # tiktoken is not the provider's tokenizer: leave room for a denser one and message framing.
        input_tokens = int(count_tokens(render_transcript(request) + schemas) * 1.5) + 50
        return price.cost(input_tokens, int(request.params.get("max_tokens", DEFAULT_MAX_TOKENS)))

    def complete_sync(self, request: CompletionRequest) -> Completion:
        """`complete` for synchronous callers such as a CLI command (runs its own event loop)."""
        return asyncio.run(self._complete_and_close(request))

    async def _complete_and_close(self, request: CompletionRequest) -> Completion:
        try:
            return await self.complete(request)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        await self.provider.aclose()


def client_from_config(
    config: Config,
    *,
    section: str = "provider",
    no_cache: bool = False,
    budget: Budget | None = None,
    ledger: UsageLedger | None = None,
) -> LLMClient:
    """A client for the provider in `section` ("provider" or "optimizer.provider").

    Fails before any work when the API key is missing or the provider is unknown. Pass the
    same `ledger` (and `budget`) to several clients to account for a whole run in one place.
    """
    settings = provider_settings(config, section)
    prices = PriceTable.from_config(config.get("pricing"))
    provider = make_provider(settings, prices)
    use_cache = bool(config.get("cache.enabled")) and not no_cache
    return LLMClient(
        provider=provider,
        max_concurrency=settings.max_concurrency,
        ledger=ledger if ledger is not None else UsageLedger(),
        cache=ResponseCache(cache_path(config)) if use_cache else None,
        budget=budget,
        prices=prices,
        configured_models=tuple(configured_models(config)),
        model=settings.model,
    )
