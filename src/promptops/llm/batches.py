"""Message Batches as an execution mode: many calls, one submission, half the price.

A caller still awaits one completion per request (the eval runner does not change). In
batch mode the client hands every request that missed the cache to a BatchQueue, which
waits until the burst of requests stops growing, submits them in batches no larger than
the API's limits, records each batch id on disk the moment it exists (batch_state.py),
polls until the batches end, stores the answers in the response cache and resolves the
waiting callers. Requests whose key is in a batch recorded by an earlier, interrupted run
are collected from that batch rather than submitted (and paid for) again. Errored (server
side) and expired requests go round again, under the same budget, up to `retries` times.
In `auto` mode a burst smaller than `auto_min_requests` is not batched: its callers are
told to call directly (the queue answers None).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from promptops.config import Config
from promptops.llm.batch_state import PendingBatches
from promptops.llm.budget import Budget
from promptops.llm.cache import ResponseCache
from promptops.llm.errors import BudgetExceeded, LLMError
from promptops.llm.pricing import BATCH_PRICE_FACTOR
from promptops.llm.types import Completion, CompletionRequest

API_MAX_REQUESTS = 100_000  # Anthropic: requests per batch
API_MAX_BYTES = 256 * 1024 * 1024  # Anthropic: bytes per batch-creation request
ENVELOPE_BYTES = 64 * 1024  # room for the JSON around the requests
GATHER_S = 0.05  # a burst is complete when no request arrived for this long


@dataclass(frozen=True)
class BatchStatus:
    """What the provider says about one batch."""

    batch_id: str
    ended: bool
    counts: dict[str, int]  # processing, succeeded, errored, canceled, expired


@dataclass(frozen=True)
class BatchResult:
    """One request's outcome. `completion` when it succeeded; else why, and whether trying
    again can help (a server error or expiry can; a refused request cannot)."""

    key: str
    completion: Completion | None = None
    failure: str = ""
    retryable: bool = False


class BatchAPI(Protocol):
    """A provider's batch endpoints (see providers/anthropic_batches.py)."""

    endpoint: str

    def entry_size(self, key: str, request: CompletionRequest) -> int: ...

    async def create(self, entries: list[tuple[str, CompletionRequest]]) -> BatchStatus: ...

    async def retrieve(self, batch_id: str) -> BatchStatus: ...

    def results(self, batch_id: str, models: dict[str, str]) -> AsyncIterator[BatchResult]: ...


@dataclass(frozen=True)
class BatchSettings:
    mode: str = "never"  # auto | always | never
    poll_seconds: float = 30.0
    auto_min_requests: int = 100
    max_requests: int = API_MAX_REQUESTS
    max_bytes: int = API_MAX_BYTES
    retries: int = 2


@dataclass(frozen=True)
class BatchProgress:
    """Where the batches of one submission stand; the CLI draws it, nothing here prints."""

    batch_ids: tuple[str, ...]
    requests: int
    counts: dict[str, int]
    elapsed_s: float
    resumed: int = 0  # requests collected from batches an earlier run submitted


ProgressCallback = Callable[[BatchProgress], None]


@dataclass
class _Waiting:
    request: CompletionRequest
    future: asyncio.Future[Completion | None]
    attempt: int = 0
    reservation: float = 0.0


@dataclass
class BatchQueue:
    api: BatchAPI
    pending: PendingBatches
    settings: BatchSettings
    cache: ResponseCache | None = None
    budget: Budget | None = None
    worst_case_usd: Callable[[CompletionRequest], float] = lambda request: 0.0
    on_progress: ProgressCallback | None = None
    _waiting: dict[str, _Waiting] = field(default_factory=dict)
    _active: dict[str, _Waiting] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _gathering: bool = False

    async def complete(self, key: str, request: CompletionRequest) -> Completion | None:
        """The answer to `request` via a batch, or None: call the provider directly."""
        item = self._active.get(key) or self._waiting.get(key)
        if item is None:
            item = _Waiting(request, asyncio.get_running_loop().create_future())
            self._waiting[key] = item
            if not self._gathering:
                self._gathering = True
                self._spawn(self._gather())
        # shield: one caller giving up (Ctrl-C) must not cancel the answer others wait for.
        return await asyncio.shield(item.future)

    async def aclose(self) -> None:
        """Stop polling; batches already created stay recorded and are collected next run."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _gather(self) -> None:
        seen = -1
        while len(self._waiting) != seen:
            seen = len(self._waiting)
            await asyncio.sleep(GATHER_S)
        burst, self._waiting, self._gathering = self._waiting, {}, False
        self._active.update(burst)
        try:
            await self._process(burst)
        except asyncio.CancelledError:
            self._fail(burst, None)
            raise
        except Exception as exc:  # noqa: BLE001 - every waiting caller is told; nothing is lost silently
            self._fail(burst, exc)

    async def _process(self, burst: dict[str, _Waiting]) -> None:
        owners = self.pending.owners(self.api.endpoint)
        resumed: dict[str, list[str]] = {}
        fresh: dict[str, _Waiting] = {}
        for key, item in burst.items():
            if item.attempt == 0 and key in owners:
                resumed.setdefault(owners[key], []).append(key)
            else:
                fresh[key] = item
        if self.settings.mode == "auto" and len(fresh) < self.settings.auto_min_requests:
            for key in fresh:
                self._resolve(key, None)
            fresh = {}
        created = await self._submit(self._reserve(fresh)) if fresh else []
        batch_ids = [*resumed, *created]
        if batch_ids:
            retry = await self._poll_and_collect(batch_ids, burst, sum(map(len, resumed.values())))
            if retry:
                self._waiting.update(retry)
                if not self._gathering:
                    self._gathering = True
                    self._spawn(self._gather())

    def _reserve(self, fresh: dict[str, _Waiting]) -> dict[str, _Waiting]:
        """Reserve each request's worst case at the batch price; past the budget, its caller
        gets BudgetExceeded."""
        kept = {}
        for key, item in fresh.items():
            try:
                worst = self.worst_case_usd(item.request) * BATCH_PRICE_FACTOR
                item.reservation = self.budget.reserve(worst) if self.budget else 0.0
            except BudgetExceeded as exc:
                self._reject(key, exc)
                continue
            kept[key] = item
        return kept

    async def _submit(self, fresh: dict[str, _Waiting]) -> list[str]:
        created = []
        for chunk in self._chunks(fresh):
            try:
                status = await self.api.create([(key, fresh[key].request) for key in chunk])
            except LLMError as exc:
                for key in chunk:
                    self._settle(fresh[key], 0.0)
                    self._reject(key, exc)
                continue
            self.pending.record(status.batch_id, self.api.endpoint, chunk)
            created.append(status.batch_id)
        return created

    def _chunks(self, fresh: dict[str, _Waiting]) -> list[list[str]]:
        """Requests split at the API's limits: so many requests, so many bytes per batch."""
        budget_bytes = self.settings.max_bytes - ENVELOPE_BYTES
        chunks: list[list[str]] = [[]]
        size = 0
        for key, item in fresh.items():
            entry = self.api.entry_size(key, item.request) + 1
            if chunks[-1] and (len(chunks[-1]) >= self.settings.max_requests or size + entry > budget_bytes):
                chunks.append([])
                size = 0
            chunks[-1].append(key)
            size += entry
        return [c for c in chunks if c]

    async def _poll_and_collect(
        self, batch_ids: list[str], burst: dict[str, _Waiting], resumed: int
    ) -> dict[str, _Waiting]:
        started = time.monotonic()
        open_ids = list(batch_ids)
        last: dict[str, BatchStatus] = {}
        retry: dict[str, _Waiting] = {}
        while open_ids:
            for batch_id in list(open_ids):
                last[batch_id] = status = await self.api.retrieve(batch_id)
                if status.ended:
                    retry.update(await self._collect(batch_id, burst))
                    open_ids.remove(batch_id)
            self._report(batch_ids, last, started, resumed)
            if open_ids:
                await asyncio.sleep(self.settings.poll_seconds)
        return retry

    async def _collect(self, batch_id: str, burst: dict[str, _Waiting]) -> dict[str, _Waiting]:
        """Store every answer of an ended batch, resolve its callers, forget the batch.

        The answers are in the cache (one transaction) before the batch is forgotten, so a
        run killed at any point here loses nothing: the next one finds them cached or the
        batch still recorded."""
        answers: list[tuple[str, Completion]] = []
        failures: list[BatchResult] = []
        async for result in self.api.results(batch_id, {k: item.request.model for k, item in burst.items()}):
            if result.completion is not None:
                answers.append((result.key, result.completion))
            else:
                failures.append(result)
        if self.cache is not None:
            self.cache.put_many(answers)
        for key, completion in answers:
            if (item := burst.get(key)) is not None:
                self._settle(item, completion.cost_usd)
                self._resolve(key, completion)
        retry = self._failed(batch_id, burst, failures)
        expected = next((set(b.keys) for b in self.pending.all() if b.batch_id == batch_id), set())
        seen = {key for key, _ in answers} | {f.key for f in failures}
        for key in (expected & burst.keys()) - seen:
            self._reject(key, LLMError(f"Message Batch {batch_id} returned no result for this request"))
        self.pending.forget(batch_id)
        return retry

    def _failed(
        self, batch_id: str, burst: dict[str, _Waiting], failures: list[BatchResult]
    ) -> dict[str, _Waiting]:
        """Requests to send again (server errors, expiry) within `retries`; the rest fail."""
        retry = {}
        for result in failures:
            if (item := burst.get(result.key)) is None:
                continue
            self._settle(item, 0.0)  # errored and expired requests are not billed
            if result.retryable and item.attempt < self.settings.retries:
                retry[result.key] = _Waiting(item.request, item.future, item.attempt + 1)
                self._active.pop(result.key, None)
            else:
                self._reject(result.key, LLMError(f"Message Batch {batch_id}: {result.failure}"))
        return retry

    def _report(
        self, batch_ids: list[str], last: dict[str, BatchStatus], started: float, resumed: int
    ) -> None:
        if self.on_progress is None:
            return
        counts: dict[str, int] = {}
        for status in last.values():
            for name, n in status.counts.items():
                counts[name] = counts.get(name, 0) + n
        total = sum(counts.values())
        self.on_progress(BatchProgress(tuple(batch_ids), total, counts, time.monotonic() - started, resumed))

    def _settle(self, item: _Waiting, actual_usd: float) -> None:
        if self.budget is not None:
            self.budget.settle(item.reservation, actual_usd)
            item.reservation = 0.0

    def _resolve(self, key: str, completion: Completion | None) -> None:
        item = self._active.pop(key, None) or self._waiting.pop(key, None)
        if item is not None and not item.future.done():
            item.future.set_result(completion)

    def _reject(self, key: str, exc: BaseException) -> None:
        item = self._active.pop(key, None) or self._waiting.pop(key, None)
        if item is not None and not item.future.done():
            item.future.set_exception(exc)

    def _fail(self, burst: dict[str, _Waiting], exc: Exception | None) -> None:
        """An error outside one request (a batch could not be read), or cancellation (None):
        every caller still waiting gets it. Reservations are released: nothing was billed
        that this run will account for."""
        for key, item in burst.items():
            self._settle(item, 0.0)
            if exc is None:
                self._active.pop(key, None)
                if not item.future.done():
                    item.future.cancel()
            else:
                self._reject(key, exc)


def batch_settings(config: Config, mode: str) -> BatchSettings:
    return BatchSettings(mode=mode, poll_seconds=float(config.get("batch.poll_seconds")))
