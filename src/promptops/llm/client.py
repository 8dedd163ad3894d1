"""LLMClient: the one door to every model.

Everything that calls a model (the eval runner, the judge, the analyzer, the variant
writer) holds an LLMClient. Per call it: answers from the response cache when it can
(free, no budget, no provider call); otherwise waits for a slot of the provider's
process-wide concurrency limit, reserves the call's worst-case cost in the budget (once per
HTTP attempt: the provider meters its retries), calls the provider, and records the
result in the cache and the usage ledger. No caller can bypass these.
In batch mode (`batches` set) a miss goes to the BatchQueue instead, which answers it from a
Message Batch at half the price, or hands it back for a direct call (see llm/batches.py).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from promptops.config import Config
from promptops.errors import ConfigError
from promptops.llm.budget import Budget, CallMeter, metered
from promptops.llm.cache import ResponseCache, cache_key, open_cache
from promptops.llm.errors import CallTimeout, LLMError, UnknownProvider
from promptops.llm.limits import ProcessLimit, shared_limit
from promptops.llm.pricing import PriceTable
from promptops.llm.providers import Provider, make_provider
from promptops.llm.providers.echo import render_transcript
from promptops.llm.settings import configured_models, provider_settings, resolve_batch_mode
from promptops.llm.types import DEFAULT_MAX_TOKENS, Completion, CompletionRequest
from promptops.llm.usage import UsageLedger
from promptops.repo.tokens import count_tokens

if TYPE_CHECKING:
    from promptops.llm.batches import BatchQueue, ProgressCallback

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
    batches: BatchQueue | None = None
    _limit: ProcessLimit | None = field(default=None, repr=False)

    @property
    def limit(self) -> ProcessLimit:
        """This provider endpoint's limit, shared with every other client in the process."""
        if self._limit is None:
            self._limit = shared_limit(self.provider.name, self.provider.base_url, self.max_concurrency)
        return self._limit

    async def complete(self, request: CompletionRequest) -> Completion:
        keyed = self.cache is not None or self.batches is not None
        key = cache_key(self.provider.name, self.provider.base_url, request) if keyed else None
        if key is not None and self.cache is not None and (hit := self.cache.get(key)) is not None:
            self.ledger.record(hit)
            return hit
        if key is not None and self.batches is not None:
            batched = await self.batches.complete(key, request)  # stored in the cache by the queue
            if batched is not None:
                self.ledger.record(batched)
                return batched
        async with self.limit:
            # Reserve only once a slot is ours: calls queued behind the limit hold no budget,
            # so a USD budget smaller than "every queued call at worst case" still runs.
            # Each HTTP attempt (retries included) is metered: the provider calls the meter
            # before a retry, and a timed-out attempt is settled at its worst case.
            meter = (
                self.budget.open_call(self.worst_case_usd(request)) if self.budget else CallMeter(attempts=1)
            )
            completion = None
            timed_out = False
            try:
                with metered(meter):
                    completion = await self._call_provider(request)
            except CallTimeout:
                timed_out = True
                raise
            finally:
                meter.finish(completion.cost_usd if completion else None, timed_out=timed_out)
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
        if completion.provider and completion.model:
            return completion
        return replace(
            completion,
            provider=completion.provider or self.provider.name,
            model=completion.model or request.model,
        )

    def worst_case_usd(self, request: CompletionRequest) -> float:
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
        if self.batches is not None:
            await self.batches.aclose()
        await self.provider.aclose()
        if self.cache is not None:
            self.cache.close()


def client_from_config(
    config: Config,
    *,
    section: str = "provider",
    no_cache: bool = False,
    budget: Budget | None = None,
    ledger: UsageLedger | None = None,
    batch: bool | None = None,
    waiting_ok: bool = False,
    on_batch: ProgressCallback | None = None,
) -> LLMClient:
    """A client for the provider in `section` ("provider" or "optimizer.provider").

    Fails before any work when the API key is missing or the provider is unknown. Pass the
    same `ledger` (and `budget`) to several clients to account for a whole run in one place.
    `batch` (--batch / --no-batch) overrides `provider.batch`; `waiting_ok` says the caller
    can wait for batch results (a scheduled run), which `auto` needs; `on_batch` receives
    progress while batches are polled.
    """
    settings = provider_settings(config, section)
    prices = PriceTable.from_config(config.get("pricing"))
    provider = make_provider(settings, prices)
    use_cache = bool(config.get("cache.enabled")) and not no_cache
    client = LLMClient(
        provider=provider,
        max_concurrency=settings.max_concurrency,
        ledger=ledger if ledger is not None else UsageLedger(),
        cache=open_cache(config) if use_cache else None,
        budget=budget,
        prices=prices,
        configured_models=tuple(configured_models(config)),
        model=settings.model,
    )
    mode = resolve_batch_mode(settings.batch, batch, waiting_ok=waiting_ok)
    if mode != "never":
        client.batches = _batch_queue(config, client, mode, on_batch, section)
    return client


def _batch_queue(
    config: Config, client: LLMClient, mode: str, on_batch: ProgressCallback | None, section: str
) -> BatchQueue | None:
    """The client's BatchQueue; None for a free provider (echo: nothing to save, no wait)."""
    from promptops.llm.batch_state import PendingBatches, batch_state_folder
    from promptops.llm.batches import BatchQueue, batch_settings
    from promptops.llm.providers import batch_api

    api = batch_api(client.provider)
    if api is None:
        if getattr(client.provider, "is_free", False):
            return None
        raise ConfigError(
            f"Message Batches need provider.name anthropic; {section}.name is {client.provider.name!r}: "
            f"drop --batch or set {section}.batch: never"
        )
    return BatchQueue(
        api,
        PendingBatches(batch_state_folder(config)),
        batch_settings(config, mode),
        cache=client.cache,
        budget=client.budget,
        worst_case_usd=client.worst_case_usd,
        on_progress=on_batch,
    )
