"""Anthropic's Message Batches through the SDK's `client.messages.batches`.

Each request becomes `{"custom_id": <cache key>, "params": <messages.create arguments>}`:
the cache key is a sha256 hex digest, 64 characters of [0-9a-f], which is exactly what
the API accepts as a custom_id, so results map straight back to cache entries. Results
are priced at the batch rate and carry no latency (a batch has none per request).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import anthropic

from promptops.llm.batches import BatchResult, BatchStatus
from promptops.llm.errors import LLMError
from promptops.llm.providers.anthropic import message_arguments
from promptops.llm.types import CompletionRequest

if TYPE_CHECKING:
    from promptops.llm.providers.anthropic import AnthropicProvider

# Error types of an `errored` result that a second attempt can get past.
RETRYABLE_ERRORS = frozenset({"api_error", "overloaded_error", "rate_limit_error", "timeout_error"})


def batch_params(request: CompletionRequest) -> dict[str, Any]:
    """`messages.create` arguments as a batch request's `params` (extra_body merged in)."""
    arguments = message_arguments(request)
    extra = arguments.pop("extra_body", None) or {}
    return {**arguments, **extra}


class AnthropicBatchAPI:
    def __init__(self, provider: AnthropicProvider) -> None:
        self.provider = provider
        self.endpoint = provider.base_url

    def entry_size(self, key: str, request: CompletionRequest) -> int:
        entry = {"custom_id": key, "params": batch_params(request)}
        return len(json.dumps(entry, separators=(",", ":"), ensure_ascii=False, default=str).encode())

    async def create(self, entries: list[tuple[str, CompletionRequest]]) -> BatchStatus:
        requests = [{"custom_id": key, "params": batch_params(request)} for key, request in entries]
        try:
            batch = await self.provider._client().messages.batches.create(requests=requests)  # type: ignore[arg-type]
        except anthropic.APIError as exc:
            raise self._error(exc, f"creating a Message Batch of {len(requests)} requests") from None
        return _status(batch)

    async def retrieve(self, batch_id: str) -> BatchStatus:
        try:
            return _status(await self.provider._client().messages.batches.retrieve(batch_id))
        except anthropic.APIError as exc:
            raise self._error(exc, f"reading Message Batch {batch_id}") from None

    async def results(self, batch_id: str, models: dict[str, str]) -> AsyncIterator[BatchResult]:
        """Every request's outcome; `models` maps keys to the requested model (for prices)."""
        try:
            stream = await self.provider._client().messages.batches.results(batch_id)
            async for line in stream:
                yield self._result(line, models)
        except anthropic.APIError as exc:
            raise self._error(exc, f"reading the results of Message Batch {batch_id}") from None

    def _result(self, line: Any, models: dict[str, str]) -> BatchResult:
        key, result = line.custom_id, line.result
        if result.type == "succeeded":
            model = models.get(key) or result.message.model
            return BatchResult(key, self.provider._completion(result.message, model, 0.0, batched=True))
        if result.type == "errored":
            error = getattr(result.error, "error", None)
            kind = str(getattr(error, "type", "api_error"))
            message = str(getattr(error, "message", ""))[:200]
            return BatchResult(
                key, failure=f"errored ({kind}: {message})", retryable=kind in RETRYABLE_ERRORS
            )
        if result.type == "expired":
            return BatchResult(key, failure="expired before it was processed (24 hours)", retryable=True)
        return BatchResult(key, failure=f"{result.type} (the batch was canceled)")

    def _error(self, exc: anthropic.APIError, doing: str) -> LLMError:
        if getattr(exc, "status_code", None) == 404:
            error = LLMError(
                f"{doing}: {self.endpoint} does not know that batch (HTTP 404): it was submitted with "
                "another API key, or its results are gone (kept 29 days); delete its record in "
                ".promptops/batches/ to submit those requests again"
            )
            error.status = 404
            return error
        base = self.provider._error(exc, "(batch)")
        error = LLMError(f"{doing}: {base}")
        error.status = getattr(exc, "status_code", None)
        return error


def _status(batch: Any) -> BatchStatus:
    counts = batch.request_counts
    return BatchStatus(
        batch.id,
        batch.processing_status == "ended",
        {
            name: int(getattr(counts, name))
            for name in ("processing", "succeeded", "errored", "canceled", "expired")
        },
    )
