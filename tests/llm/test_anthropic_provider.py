"""The Anthropic provider through the real SDK against the Messages-API stand-in."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from promptops.llm.client import client_from_config
from promptops.llm.errors import CallTimeout, ConnectionFailed, LLMError, RateLimited, UnknownProvider
from promptops.llm.types import ToolSpec
from tests.llm.helpers import MODEL, ask, write_config
from tests.standins import STANDIN_API_KEY, AnthropicStandin, Reply, anthropic_provider_config


def client_for(standin: AnthropicStandin, root: Path, **overrides):
    config = write_config(root, anthropic_provider_config(standin, **overrides), cache={"enabled": False})
    return client_from_config(config)


def test_completion_carries_text_usage_cost_and_request_id(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply(text="4", input_tokens=120, output_tokens=30)
    client = client_for(anthropic_standin, tmp_path)
    completion = client.complete_sync(ask("What is 2+2?", top_k=5))

    assert completion.text == "4" and completion.stop_reason == "end_turn"
    assert completion.provider == "anthropic" and completion.model == MODEL and not completion.cached
    assert (completion.input_tokens, completion.output_tokens) == (120, 30)
    # claude-sonnet-5-5 is $2 in / $10 out per million tokens
    assert completion.cost_usd == pytest.approx((120 * 2 + 30 * 10) / 1e6)
    assert completion.request_id == "req_standin_1" and completion.latency_ms > 0
    sent = anthropic_standin.requests[0]
    assert sent["system"] == "You are terse." and sent["max_tokens"] == 64 and sent["top_k"] == 5
    assert sent["messages"] == [{"role": "user", "content": "What is 2+2?"}]
    assert anthropic_standin.request_headers[0]["authorization"] == f"Bearer {STANDIN_API_KEY}"
    assert client.ledger.calls == 1 and client.ledger.by_provider["anthropic"].cost_usd == completion.cost_usd


def test_tools_are_sent_and_tool_calls_mapped(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply.tool("lookup_order", {"order_id": "A-7"}, text="Checking.")
    tool = ToolSpec(
        "lookup_order", "Find an order", {"type": "object", "properties": {"order_id": {"type": "string"}}}
    )
    client = client_for(anthropic_standin, tmp_path)
    request = ask("Where is order A-7?")
    completion = client.complete_sync(type(request)(**{**request.__dict__, "tools": (tool,)}))

    assert anthropic_standin.requests[0]["tools"] == [
        {"name": "lookup_order", "description": "Find an order", "input_schema": tool.input_schema}
    ]
    assert completion.stop_reason == "tool_use" and completion.text == "Checking."
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [("lookup_order", {"order_id": "A-7"})]
    assert completion.tool_calls[0].id.startswith("toolu_")


def test_rate_limit_is_retried_honouring_retry_after(anthropic_standin, tmp_path):
    anthropic_standin.queue(Reply.rate_limited(retry_after=0.05), Reply.rate_limited(retry_after=0.05))
    client = client_for(anthropic_standin, tmp_path, max_retries=2)
    started = time.perf_counter()
    completion = client.complete_sync(ask("hello"))

    assert completion.text == "echo: hello"
    assert anthropic_standin.request_count == 3
    # The SDK's own backoff without retry-after would be at least 0.375 s + 0.75 s.
    assert time.perf_counter() - started < 0.9


@pytest.mark.parametrize("fault", [Reply.overloaded, Reply.rate_limited])
def test_persistent_overload_fails_with_calls_succeeded_so_far(anthropic_standin, tmp_path, fault):
    client = client_for(anthropic_standin, tmp_path, max_retries=1)
    client.complete_sync(ask("first"))
    client.complete_sync(ask("second"))
    anthropic_standin.queue(fault(), fault())

    with pytest.raises(RateLimited) as caught:
        client.complete_sync(ask("third"))
    message = str(caught.value)
    assert "rate limited or overloaded after 1 retries" in message
    assert "2 model calls had succeeded before this one" in message
    assert anthropic_standin.request_count == 4
    assert client.ledger.errors == 1 and client.ledger.calls == 2


def test_server_error_is_retried_then_succeeds(anthropic_standin, tmp_path):
    anthropic_standin.queue(Reply.server_error())
    completion = client_for(anthropic_standin, tmp_path).complete_sync(ask("hello"))
    assert completion.text == "echo: hello" and anthropic_standin.request_count == 2


async def _gather(client, texts):
    try:
        return await asyncio.gather(*(client.complete(ask(t)) for t in texts), return_exceptions=True)
    finally:
        await client.aclose()


def test_dropped_connection_fails_that_call_only(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply.dropped() if "drop-me" in str(req["messages"]) else "fine"
    client = client_for(anthropic_standin, tmp_path, max_retries=1)
    results = asyncio.run(_gather(client, ["a", "drop-me", "b"]))

    assert [r.text for r in results if not isinstance(r, BaseException)] == ["fine", "fine"]
    assert isinstance(results[1], ConnectionFailed)
    assert "connection failed or dropped after 1 retries" in str(results[1])


def test_slow_reply_past_the_timeout_fails_that_call_only(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply.slow(2.0) if "slow" in str(req["messages"]) else "quick"
    client = client_for(anthropic_standin, tmp_path, max_retries=0, timeout_s=0.3)
    started = time.perf_counter()
    results = asyncio.run(_gather(client, ["slow", "x"]))

    assert isinstance(results[0], CallTimeout) and "no answer within 0.3 s" in str(results[0])
    assert results[1].text == "quick"
    assert time.perf_counter() - started < 1.5


def test_max_tokens_stop_is_reported(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply.truncated("The answer is a long")
    completion = client_for(anthropic_standin, tmp_path).complete_sync(ask("explain"))
    assert completion.stop_reason == "max_tokens" and completion.text == "The answer is a long"


def test_unknown_model_lists_configured_models(anthropic_standin, tmp_path):
    anthropic_standin.queue(Reply(status=404, error_type="not_found_error"))
    client = client_for(anthropic_standin, tmp_path)
    with pytest.raises(UnknownProvider) as caught:
        client.complete_sync(ask("hi", model="claude-nonexistent"))
    message = str(caught.value)
    assert "does not know model 'claude-nonexistent'" in message
    assert f"configured models: {MODEL}" in message and "claude-haiku-4-5" in message
    assert caught.value.exit_code == 2


def test_rejected_request_names_status_not_body(anthropic_standin, tmp_path):
    anthropic_standin.queue(Reply(status=400, error_type="invalid_request_error"))
    with pytest.raises(LLMError) as caught:
        client_for(anthropic_standin, tmp_path).complete_sync(ask("SECRET-PROMPT-TEXT"))
    assert "HTTP 400, invalid_request_error" in str(caught.value)
    assert "SECRET-PROMPT-TEXT" not in str(caught.value)
