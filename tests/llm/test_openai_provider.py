"""The OpenAI-compatible provider (httpcore2 connections) against the chat-completions stand-in."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from promptops.llm.client import client_from_config
from promptops.llm.errors import CallTimeout, ConnectionFailed, LLMError, RateLimited, UnknownProvider
from promptops.llm.types import CompletionRequest, ToolSpec
from tests.llm.helpers import ask, write_config
from tests.standins import OpenAIStandin, Reply, openai_provider_config


def client_for(standin: OpenAIStandin, root, **overrides):
    config = write_config(
        root,
        openai_provider_config(standin, **overrides),
        cache={"enabled": False},
        pricing={"llama3.2": {"input": 0.5, "output": 1.0}},
    )
    return client_from_config(config)


def test_chat_completion_maps_text_usage_and_params(openai_standin, tmp_path):
    openai_standin.reply = lambda req: Reply(text="Hi!", input_tokens=40, output_tokens=10)
    client = client_for(openai_standin, tmp_path)
    completion = client.complete_sync(ask("hello", model="llama3.2", stop_sequences=["END"]))

    assert (
        completion.text == "Hi!" and completion.provider == "openai" and completion.stop_reason == "end_turn"
    )
    assert (completion.input_tokens, completion.output_tokens) == (40, 10)
    assert completion.cost_usd == pytest.approx((40 * 0.5 + 10 * 1.0) / 1e6)  # priced by config
    sent = openai_standin.requests[0]
    assert sent["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "hello"},
    ]
    assert sent["stop"] == ["END"] and sent["max_tokens"] == 64
    assert "authorization" not in openai_standin.request_headers[0]  # no key configured, none sent


def test_key_is_sent_when_configured(openai_standin, tmp_path, monkeypatch):
    openai_standin.api_key = "local-key-123"
    monkeypatch.setenv("LOCAL_LLM_KEY", "local-key-123")
    client = client_for(openai_standin, tmp_path, api_key_env="LOCAL_LLM_KEY")
    assert client.complete_sync(ask("hi", model="llama3.2")).text == "echo: hi"


def test_tools_as_functions_and_tool_calls(openai_standin, tmp_path):
    openai_standin.reply = lambda req: Reply.tool("lookup_order", {"order_id": "A-7"})
    tool = ToolSpec("lookup_order", "Find an order", {"type": "object"})
    request = CompletionRequest(
        model="llama3.2", system="", messages=({"role": "user", "content": "A-7?"},), tools=(tool,)
    )
    completion = client_for(openai_standin, tmp_path).complete_sync(request)

    assert openai_standin.requests[0]["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "lookup_order",
                "description": "Find an order",
                "parameters": {"type": "object"},
            },
        }
    ]
    assert completion.stop_reason == "tool_use"
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [("lookup_order", {"order_id": "A-7"})]


def test_rate_limit_and_server_errors_are_retried_honouring_retry_after(openai_standin, tmp_path):
    openai_standin.queue(Reply.rate_limited(0.05), Reply.server_error(0.05), Reply.overloaded(0.05))
    started = time.perf_counter()
    completion = client_for(openai_standin, tmp_path, max_retries=3).complete_sync(ask("x", model="llama3.2"))
    assert completion.text == "echo: x" and openai_standin.request_count == 4
    assert time.perf_counter() - started < 1.0  # backoff without retry-after would be >= 0.375+0.75+1.5 s


def test_persistent_rate_limit_says_how_many_calls_succeeded(openai_standin, tmp_path):
    client = client_for(openai_standin, tmp_path, max_retries=1)
    client.complete_sync(ask("ok", model="llama3.2"))
    openai_standin.queue(Reply.rate_limited(0.01), Reply.rate_limited(0.01))
    with pytest.raises(RateLimited) as caught:
        client.complete_sync(ask("x", model="llama3.2"))
    assert "after 1 retries" in str(caught.value) and "1 model call had succeeded" in str(caught.value)


def test_drop_and_timeout_fail_only_their_call(openai_standin, tmp_path):
    def reply(req):
        text = json.dumps(req["messages"])
        return Reply.dropped() if "drop" in text else Reply.slow(2.0) if "slow" in text else "ok"

    openai_standin.reply = reply
    client = client_for(openai_standin, tmp_path, max_retries=0, timeout_s=0.3)

    async def run():
        try:
            return await asyncio.gather(
                *(client.complete(ask(t, model="llama3.2")) for t in ("drop", "slow", "a")),
                return_exceptions=True,
            )
        finally:
            await client.aclose()

    dropped, slow, fine = asyncio.run(run())
    assert isinstance(dropped, ConnectionFailed) and isinstance(slow, CallTimeout)
    assert fine.text == "ok"
    assert client.ledger.errors == 2 and client.ledger.calls == 1


def test_unknown_model_and_refused_request(openai_standin, tmp_path):
    client = client_for(openai_standin, tmp_path)
    openai_standin.queue(Reply(status=404))
    with pytest.raises(UnknownProvider, match="does not know model 'nope'.*configured models: llama3.2"):
        client.complete_sync(ask("x", model="nope"))
    openai_standin.queue(Reply(status=400))
    with pytest.raises(LLMError, match="HTTP 400"):
        client.complete_sync(ask("x", model="llama3.2"))
    assert openai_standin.request_count == 2  # 4xx other than 408/409/429 are not retried


def test_max_tokens_stop(openai_standin, tmp_path):
    openai_standin.reply = lambda req: Reply.truncated("cut sh")
    completion = client_for(openai_standin, tmp_path).complete_sync(ask("x", model="llama3.2"))
    assert completion.stop_reason == "max_tokens"
