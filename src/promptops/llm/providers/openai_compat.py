"""The OpenAI-compatible provider: chat completions on Ollama, vLLM, llama.cpp, LM Studio.

This is how promptops runs on a user's own local models. It speaks plain HTTP through
`httpx2`, which has no retries of its own, so this module retries 429, 408/409 and 5xx
answers, timeouts and dropped connections with exponential backoff, honouring
`retry-after` (or `retry-after-ms`) when the server sends it (policy: retry.py); each
retry is an attempt on the call's budget meter. The key is optional: local servers
rarely want one.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import weakref
from typing import TYPE_CHECKING, Any

from promptops.llm.budget import current_meter
from promptops.llm.errors import CallTimeout, ConnectionFailed, LLMError, RateLimited, UnknownProvider
from promptops.llm.pricing import PriceTable
from promptops.llm.providers.retry import backoff_seconds, retry_after_seconds, retryable_status
from promptops.llm.providers.tls import shared_ssl_context
from promptops.llm.types import Completion, CompletionRequest, ToolCall

if TYPE_CHECKING:
    import httpx2

STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
}
# Our params use the Messages API's names; these differ in chat completions.
RENAMED_PARAMS = {"stop_sequences": "stop"}


class OpenAICompatProvider:
    name = "openai"
    structured_via_tools = False  # complete_json asks for JSON in the text

    def __init__(
        self,
        *,
        base_url: str,
        prices: PriceTable,
        api_key_env: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 4,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = os.environ.get(api_key_env, "").strip() if api_key_env else ""
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.prices = prices
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx2.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"OpenAICompatProvider(base_url={self.base_url!r})"

    def _client(self) -> httpx2.AsyncClient:
        import httpx2  # loaded with the first request: a cached run never needs it

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            headers = {"authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            client = httpx2.AsyncClient(
                base_url=self.base_url, headers=headers, timeout=self.timeout_s, verify=shared_ssl_context()
            )
            self._clients[loop] = client
        return client

    async def complete(self, request: CompletionRequest) -> Completion:
        import httpx2

        started = time.perf_counter()
        body = chat_body(request)
        failure: LLMError = LLMError("no attempt made")
        for attempt in range(self.max_retries + 1):
            delay: float | None = None
            try:
                response = await self._client().post("/chat/completions", json=body)
            except httpx2.TimeoutException:
                failure = CallTimeout(self._where(request, f"no answer within {self.timeout_s:g} s"))
            except httpx2.TransportError:
                failure = ConnectionFailed(self._where(request, "connection failed or dropped"))
            else:
                if response.status_code == 200:
                    return self._completion(response, request.model, (time.perf_counter() - started) * 1000)
                failure = self._status_error(response, request)
                failure.status = response.status_code
                if not retryable_status(response.status_code, response.headers):
                    raise failure
                delay = retry_after_seconds(response.headers)
            if attempt < self.max_retries:
                await asyncio.sleep(delay if delay is not None else backoff_seconds(attempt))
                current_meter().retry(timed_out=isinstance(failure, CallTimeout))
        final = type(failure)(f"{failure} after {self.max_retries} retries")
        final.status = failure.status
        raise final

    def _where(self, request: CompletionRequest, what: str) -> str:
        return f"openai-compatible server ({self.base_url}, model {request.model}): {what}"

    def _status_error(
        self, response: httpx2.Response, request: CompletionRequest
    ) -> LLMError | UnknownProvider:
        status = response.status_code
        detail = f"HTTP {status}" + (
            f", request id {rid}" if (rid := response.headers.get("x-request-id")) else ""
        )
        if status == 429 or status == 503:
            return RateLimited(self._where(request, f"rate limited or overloaded ({detail})"))
        if status == 404:
            return UnknownProvider(
                self._where(
                    request,
                    f"the server does not know model '{request.model}' "
                    f"or has no /chat/completions ({detail})",
                )
            )
        if status in (401, 403):
            return LLMError(self._where(request, f"the API key was rejected or is missing ({detail})"))
        return LLMError(self._where(request, f"the call failed ({detail})"))

    def _completion(self, response: httpx2.Response, model: str, latency_ms: float) -> Completion:
        try:
            data = response.json()
            choice = data["choices"][0]
            message = choice["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(
                f"openai-compatible server ({self.base_url}): the answer is not chat-completions JSON"
            ) from None
        usage = data.get("usage") or {}
        input_tokens = int(usage.get("prompt_tokens") or 0)
        output_tokens = int(usage.get("completion_tokens") or 0)
        return Completion(
            text=message.get("content") or "",
            tool_calls=tuple(_tool_call(call) for call in message.get("tool_calls") or ()),
            stop_reason=STOP_REASONS.get(
                choice.get("finish_reason") or "stop", str(choice.get("finish_reason"))
            ),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=latency_ms,
            cost_usd=self.prices.cost(model, input_tokens, output_tokens),
            request_id=response.headers.get("x-request-id") or data.get("id"),
            provider=self.name,
            model=model,
        )

    async def aclose(self) -> None:
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


def _tool_call(call: dict[str, Any]) -> ToolCall:
    function = call.get("function") or {}
    raw = function.get("arguments") or "{}"
    try:
        arguments = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except ValueError:
        arguments = {"_unparsed": raw}
    return ToolCall(name=str(function.get("name", "")), arguments=arguments, id=str(call.get("id", "")))


def chat_body(request: CompletionRequest) -> dict[str, Any]:
    """The chat-completions JSON body for a request."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": request.system}] if request.system else []
    for message in request.messages:
        messages.extend(chat_messages(message))
    body: dict[str, Any] = {"model": request.model, "messages": messages}
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {"name": t.name, "description": t.description, "parameters": t.input_schema},
            }
            for t in request.tools
        ]
    for name, value in request.params.items():
        body[RENAMED_PARAMS.get(name, name)] = value
    return body


def chat_messages(message: dict[str, Any]) -> list[dict[str, Any]]:
    """One Messages-API message as chat-completions messages (tool results become `tool` messages)."""
    content = message.get("content", "")
    role = message.get("role", "user")
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    texts = [str(b.get("text", "")) for b in content if b.get("type") == "text"]
    out: list[dict[str, Any]] = []
    calls = [
        {
            "id": b.get("id", ""),
            "type": "function",
            "function": {"name": b.get("name", ""), "arguments": json.dumps(b.get("input", {}))},
        }
        for b in content
        if b.get("type") == "tool_use"
    ]
    for block in content:
        if block.get("type") == "tool_result":
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": block.get("tool_use_id", ""),
                    "content": _result_text(block.get("content", "")),
                }
            )
    if texts or calls:
        entry: dict[str, Any] = {"role": role, "content": "\n".join(texts) or None}
        if calls:
            entry["tool_calls"] = calls
        out.insert(0, entry)
    return out


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
