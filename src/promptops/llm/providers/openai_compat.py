"""The OpenAI-compatible provider: chat completions on Ollama, vLLM, llama.cpp, LM Studio.

This is how promptops runs on a user's own local models. It speaks plain HTTP through
httpcore2 connections kept alive for the run (http_transport.py), which have no retries of
their own, so this module retries 429, 408/409 and 5xx answers, timeouts and dropped
connections with exponential backoff, honouring `retry-after` (or `retry-after-ms`) when the
server sends it (policy: retry.py); each retry is an attempt on the call's budget meter. The
key is optional: local servers rarely want one.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
import weakref
import zlib
from typing import TYPE_CHECKING, Any

from promptops import __version__
from promptops.errors import ConfigError
from promptops.llm.budget import current_meter
from promptops.llm.errors import CallTimeout, ConnectionFailed, LLMError, RateLimited, UnknownProvider
from promptops.llm.pricing import PriceTable
from promptops.llm.providers.http_urls import split_http_url
from promptops.llm.providers.retry import backoff_seconds, retry_after_seconds, retryable_status
from promptops.llm.types import Completion, CompletionRequest, ToolCall

if TYPE_CHECKING:
    import httpcore2

    from promptops.llm.providers.http_transport import Transport

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
    _url: httpcore2.URL  # {base_url}/chat/completions, parsed with the first request

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
        self._transports: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Transport] = (
            weakref.WeakKeyDictionary()
        )
        self._headers = request_headers(self.base_url, self._api_key)
        # httpx2's Timeout(timeout_s): each phase of a request may take this long.
        self._timeouts = {"timeout": dict.fromkeys(("connect", "read", "write", "pool"), timeout_s)}

    def __repr__(self) -> str:
        return f"OpenAICompatProvider(base_url={self.base_url!r})"

    def _transport(self) -> Transport:
        """This event loop's connections (a connection belongs to the loop that opened it)."""
        loop = asyncio.get_running_loop()
        transport = self._transports.get(loop)
        if transport is None:
            import httpcore2  # loaded with the first request: a cached run never needs it

            from promptops.llm.providers.http_transport import open_transport

            self._url = httpcore2.URL(self.base_url + "/chat/completions")
            transport = self._transports[loop] = open_transport(self._url)
        return transport

    async def complete(self, request: CompletionRequest) -> Completion:
        import httpcore2

        started = time.perf_counter()
        body = json.dumps(chat_body(request), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        content = body.encode()
        failure: LLMError = LLMError("no attempt made")
        for attempt in range(self.max_retries + 1):
            delay: float | None = None
            try:
                transport = self._transport()
                response = await transport.request(
                    b"POST", self._url, headers=self._headers, content=content, extensions=self._timeouts
                )
            except httpcore2.TimeoutException:
                failure = CallTimeout(self._where(request, f"no answer within {self.timeout_s:g} s"))
            except (httpcore2.NetworkError, httpcore2.ProtocolError, httpcore2.ProxyError):
                failure = ConnectionFailed(self._where(request, "connection failed or dropped"))
            else:
                headers = _header_map(response)
                if response.status == 200:
                    data = self._json(response, headers)
                    return self._completion(
                        data, headers, request.model, (time.perf_counter() - started) * 1000
                    )
                failure = self._status_error(response.status, headers, request)
                failure.status = response.status
                if not retryable_status(response.status, headers):
                    raise failure
                delay = retry_after_seconds(headers)
            if attempt < self.max_retries:
                await asyncio.sleep(delay if delay is not None else backoff_seconds(attempt))
                current_meter().retry(timed_out=isinstance(failure, CallTimeout))
        final = type(failure)(f"{failure} after {self.max_retries} retries")
        final.status = failure.status
        raise final

    def _where(self, request: CompletionRequest, what: str) -> str:
        return f"openai-compatible server ({self.base_url}, model {request.model}): {what}"

    def _status_error(
        self, status: int, headers: dict[str, str], request: CompletionRequest
    ) -> LLMError | UnknownProvider:
        detail = f"HTTP {status}" + (f", request id {rid}" if (rid := headers.get("x-request-id")) else "")
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

    def _json(self, response: httpcore2.Response, headers: dict[str, str]) -> Any:
        try:
            return json.loads(_decoded(response.content, headers.get("content-encoding", "")))
        except (ValueError, zlib.error):  # UnicodeDecodeError is a ValueError
            raise self._not_chat_json() from None

    def _not_chat_json(self) -> LLMError:
        return LLMError(
            f"openai-compatible server ({self.base_url}): the answer is not chat-completions JSON"
        )

    def _completion(self, data: Any, headers: dict[str, str], model: str, latency_ms: float) -> Completion:
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise self._not_chat_json() from None
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
            request_id=headers.get("x-request-id") or data.get("id"),
            provider=self.name,
            model=model,
        )

    async def aclose(self) -> None:
        transport = self._transports.pop(asyncio.get_running_loop(), None)
        if transport is not None:
            await transport.aclose()


def request_headers(base_url: str, api_key: str) -> list[tuple[bytes, bytes]]:
    """The headers of every request (httpcore2 adds Content-Length); checks `base_url` first."""
    split = split_http_url(base_url)
    if split is None:
        raise ConfigError(
            f"provider.base_url must be an http:// or https:// URL with an ASCII host name "
            f"(punycode for others), e.g. http://localhost:11434/v1; got {base_url!r}"
        )
    _, host, auth = split
    headers = [
        (b"Host", host.encode("ascii")),
        (b"Accept", b"application/json"),
        (b"Content-Type", b"application/json"),
        (b"User-Agent", f"promptops/{__version__}".encode()),
    ]
    if auth is not None:  # http://user:password@host/v1: basic auth, as httpx2 sent it
        userpass = f"{auth[0]}:{auth[1]}".encode()
        headers.append((b"Authorization", b"Basic " + base64.b64encode(userpass)))
    elif api_key:
        headers.append((b"Authorization", f"Bearer {api_key}".encode()))
    return headers


def _header_map(response: httpcore2.Response) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in response.headers}


def _decoded(body: bytes, encoding: str) -> bytes:
    """The body as sent. We ask for none, but a server may compress anyway, as httpx2 allowed."""
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompress(body, wbits=zlib.MAX_WBITS | 32)  # gzip or zlib header, either
    return body


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
