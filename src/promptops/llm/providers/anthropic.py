"""The Anthropic provider: the official SDK's `AsyncAnthropic`, Messages API.

The SDK's own retries are switched off (`max_retries=0`) and this module retries instead,
with the SDK's policy (retry.py: 408/409/429/5xx/529, timeouts and dropped connections,
exponential backoff from 0.5 s, honouring `retry-after`), so that every HTTP attempt goes
through the call's budget meter: the budget counts attempts, and settles a timed-out one
at its worst case. The rest is the mapping between promptops' request/response shape and
the SDK's, and errors that say what to do without repeating the key or the request.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import time
import weakref
from functools import cache
from typing import TYPE_CHECKING, Any

from promptops.llm.budget import current_meter
from promptops.llm.errors import (
    CallTimeout,
    ConnectionFailed,
    LLMError,
    MissingAPIKey,
    RateLimited,
    UnknownProvider,
)
from promptops.llm.pricing import BATCH_PRICE_FACTOR, PriceTable
from promptops.llm.providers.retry import backoff_seconds, retry_after_seconds, retryable_status
from promptops.llm.providers.tls import shared_ssl_context
from promptops.llm.types import DEFAULT_MAX_TOKENS, Completion, CompletionRequest, ToolCall

if TYPE_CHECKING:
    import anthropic

# The SDK (about 1.5 s to import, most of it building its types) loads with the first
# request: a run answered from the response cache never needs it.

DEFAULT_BASE_URL = "https://api.anthropic.com"


@cache
def named_params() -> frozenset[str]:
    """Params this SDK version takes as named arguments of `messages.create` (the set changes
    between versions: 2.x dropped `temperature`); any other param is sent in `extra_body`."""
    from anthropic.resources.messages import AsyncMessages

    return frozenset(inspect.signature(AsyncMessages.create).parameters) - {
        "self",
        "model",
        "messages",
        "max_tokens",
        "system",
        "tools",
        "stream",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
    }


def quiet_sdk_debug_log() -> None:
    """Keep the SDK's debug log (which dumps request bodies) off unless ANTHROPIC_LOG asks for it."""
    sdk_logger = logging.getLogger("anthropic")
    if not os.environ.get("ANTHROPIC_LOG") and sdk_logger.level == logging.NOTSET:
        sdk_logger.setLevel(logging.INFO)


def read_api_key(env_var: str, provider: str) -> str:
    """The key in `env_var`, or MissingAPIKey naming the variable (before any work starts)."""
    key = os.environ.get(env_var, "").strip()
    if not key:
        raise MissingAPIKey(
            f"{env_var} is not set: export {env_var}=<your {provider} API key> "
            "(provider.api_key_env in .promptops.yaml names the variable to read)"
        )
    return key


class AnthropicProvider:
    name = "anthropic"
    structured_via_tools = True  # complete_json forces a tool call whose input_schema is the schema

    def __init__(
        self,
        *,
        prices: PriceTable,
        api_key_env: str = "ANTHROPIC_API_KEY",
        base_url: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 4,
    ) -> None:
        self._api_key = read_api_key(api_key_env, "Anthropic")
        quiet_sdk_debug_log()
        self.api_key_env = api_key_env
        self.base_url = (base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.prices = prices
        # The SDK's HTTP pool belongs to the event loop that opened it: one client per loop.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anthropic.AsyncAnthropic] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:  # never show the key
        return f"AnthropicProvider(base_url={self.base_url!r})"

    def _client(self) -> anthropic.AsyncAnthropic:
        import anthropic

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = anthropic.AsyncAnthropic(
                api_key=self._api_key,
                base_url=self.base_url,
                timeout=self.timeout_s,
                max_retries=0,  # retried in complete(), one budgeted attempt at a time
                http_client=anthropic.DefaultAsyncHttpxClient(verify=shared_ssl_context()),
            )
            self._clients[loop] = client
        return client

    async def complete(self, request: CompletionRequest) -> Completion:
        import anthropic

        started = time.perf_counter()
        arguments = message_arguments(request)
        for attempt in range(self.max_retries + 1):
            try:
                message = await self._client().messages.create(**arguments)
            except anthropic.APIError as exc:
                delay = _retry_delay(exc)
                if attempt == self.max_retries or delay is None:
                    error = self._error(exc, request.model)
                    error.status = getattr(exc, "status_code", None)
                    raise error from None
                await asyncio.sleep(delay if delay >= 0 else backoff_seconds(attempt))
                current_meter().retry(timed_out=isinstance(exc, anthropic.APITimeoutError))
                continue
            return self._completion(message, request.model, (time.perf_counter() - started) * 1000)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _completion(
        self, message: Any, model: str, latency_ms: float, *, batched: bool = False
    ) -> Completion:
        text = "".join(block.text for block in message.content if block.type == "text")
        calls = tuple(
            ToolCall(name=b.name, arguments=dict(b.input or {}), id=b.id)
            for b in message.content
            if b.type == "tool_use"
        )
        usage = message.usage
        cache_write = usage.cache_creation_input_tokens or 0
        cache_read = usage.cache_read_input_tokens or 0
        cost = (BATCH_PRICE_FACTOR if batched else 1.0) * self.prices.cost(
            model, usage.input_tokens, usage.output_tokens, cache_write=cache_write, cache_read=cache_read
        )
        return Completion(
            text=text,
            tool_calls=calls,
            stop_reason=message.stop_reason or "end_turn",
            input_tokens=usage.input_tokens + cache_write + cache_read,
            output_tokens=usage.output_tokens,
            latency_ms=latency_ms,
            cost_usd=cost,
            request_id=getattr(message, "_request_id", None),
            provider=self.name,
            model=model,
            batched=batched,
        )

    def _error(self, exc: anthropic.APIError, model: str) -> LLMError | UnknownProvider:
        import anthropic

        where = f"anthropic ({self.base_url}, model {model})"
        retries = f"after {self.max_retries} retries"
        if isinstance(exc, anthropic.APITimeoutError):
            return CallTimeout(f"{where}: no answer within {self.timeout_s:g} s {retries}")
        if isinstance(exc, anthropic.APIConnectionError):
            return ConnectionFailed(f"{where}: connection failed or dropped {retries}")
        status = getattr(exc, "status_code", None)
        request_id = getattr(exc, "request_id", None)
        detail = f"HTTP {status}, {_error_type(exc)}" + (f", request id {request_id}" if request_id else "")
        if status in (429, 529):
            return RateLimited(
                f"{where}: rate limited or overloaded {retries} ({detail}); lower provider.max_concurrency "
                "or try again later"
            )
        if status == 401:
            return LLMError(f"{where}: the API key in {self.api_key_env} was rejected ({detail})")
        if status == 404:
            return UnknownProvider(f"{where}: the provider does not know model '{model}' ({detail})")
        if status is not None and status >= 500:
            return LLMError(f"{where}: server error {retries} ({detail})")
        return LLMError(f"{where}: the request was refused ({detail}): {_error_message(exc)}")

    async def aclose(self) -> None:
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.close()


def message_arguments(request: CompletionRequest) -> dict[str, Any]:
    """The `messages.create` arguments for a request."""
    params = dict(request.params)
    arguments: dict[str, Any] = {
        "model": request.model,
        "max_tokens": params.pop("max_tokens", DEFAULT_MAX_TOKENS),
        "messages": list(request.messages),
    }
    if request.system:
        arguments["system"] = request.system
    if request.tools:
        arguments["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.input_schema}
            for t in request.tools
        ]
    for name in named_params() & params.keys():
        arguments[name] = params.pop(name)
    if params:
        arguments["extra_body"] = params
    return arguments


def _retry_delay(exc: anthropic.APIError) -> float | None:
    """None: do not retry; -1: retry after the exponential backoff; else the seconds asked for."""
    import anthropic

    if isinstance(exc, anthropic.APIConnectionError):  # timeouts included
        return -1.0
    if not isinstance(exc, anthropic.APIStatusError):
        return None
    headers = exc.response.headers
    if not retryable_status(exc.status_code, headers):
        return None
    asked = retry_after_seconds(headers)
    return -1.0 if asked is None else asked


def _error_body(exc: anthropic.APIError) -> dict[str, Any]:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def _error_type(exc: anthropic.APIError) -> str:
    return str(_error_body(exc).get("type") or type(exc).__name__)


def _error_message(exc: anthropic.APIError) -> str:
    """The server's own explanation, cut short (it names fields, not their contents)."""
    return str(_error_body(exc).get("message") or "no explanation given")[:200]
