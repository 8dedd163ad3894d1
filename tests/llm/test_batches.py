"""Message Batches through the LLM client: the real SDK against the stand-in's batch endpoints."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from pathlib import Path

import pytest

from promptops.errors import ConfigError
from promptops.llm.batches import BatchProgress
from promptops.llm.budget import Budget
from promptops.llm.client import LLMClient, client_from_config
from promptops.llm.errors import BudgetExceeded, LLMError
from promptops.llm.types import Completion, CompletionRequest
from tests.llm.helpers import ask, write_config
from tests.standins import Reply, anthropic_provider_config
from tests.standins.anthropic_server import AnthropicStandin, last_user_text

POLL = {"poll_seconds": 0.05}


def batch_client(tmp_path: Path, standin: AnthropicStandin, **kwargs: object) -> LLMClient:
    config = write_config(tmp_path, anthropic_provider_config(standin), batch=POLL)
    return client_from_config(config, batch=True, **kwargs)  # type: ignore[arg-type]


def run_all(client: LLMClient, requests: list[CompletionRequest]) -> list[Completion | BaseException]:
    async def go() -> list[Completion | BaseException]:
        try:
            return await asyncio.gather(*(client.complete(r) for r in requests), return_exceptions=True)
        finally:
            await client.aclose()

    return asyncio.run(go())


def questions(n: int) -> list[CompletionRequest]:
    return [ask(f"question {i}") for i in range(n)]


def test_a_batch_answers_like_direct_calls_at_half_the_price(anthropic_standin, tmp_path):
    anthropic_standin.batches.delay_s = 0.2
    seen: list[BatchProgress] = []
    client = batch_client(tmp_path / "batched", anthropic_standin, on_batch=seen.append)
    batched = run_all(client, questions(30))

    assert anthropic_standin.request_count == 0  # no direct Messages call
    assert anthropic_standin.batches.creates == 1 and anthropic_standin.batches.paid == 30
    direct_config = write_config(tmp_path / "direct", anthropic_provider_config(anthropic_standin))
    direct = run_all(client_from_config(direct_config), questions(30))
    for b, d in zip(batched, direct, strict=True):
        assert isinstance(b, Completion) and isinstance(d, Completion)
        assert (b.text, b.input_tokens, b.output_tokens) == (d.text, d.input_tokens, d.output_tokens)
        assert b.batched and not d.batched
        assert b.cost_usd == pytest.approx(d.cost_usd / 2)
    assert client.ledger.cost_usd == pytest.approx(sum(c.cost_usd for c in direct) / 2)
    # progress while it polled: processing first, then all 30 succeeded
    assert seen[0].counts["processing"] == 30 and seen[-1].counts["succeeded"] == 30
    assert seen[-1].batch_ids == ("msgbatch_standin_0001",)
    # the answers are in the response cache: a second run submits nothing
    again = run_all(batch_client(tmp_path / "batched", anthropic_standin), questions(30))
    assert all(isinstance(c, Completion) and c.cached for c in again)
    assert anthropic_standin.batches.creates == 1 and not list(
        (tmp_path / "batched").glob(".promptops/batches/*")
    )


def test_requests_are_split_at_the_batch_limits(anthropic_standin, tmp_path):
    anthropic_standin.batches.max_requests = 10  # the API's 100,000, scaled down
    client = batch_client(tmp_path, anthropic_standin)
    assert client.batches is not None
    client.batches.settings = replace(client.batches.settings, max_requests=10)
    results = run_all(client, questions(25) + [ask("question 3")])  # a duplicate is asked once
    assert all(isinstance(c, Completion) for c in results)
    assert anthropic_standin.batches.creates == 3 and anthropic_standin.batches.paid == 25


def test_size_limit_splits_large_requests(anthropic_standin, tmp_path):
    client = batch_client(tmp_path, anthropic_standin)
    assert client.batches is not None
    client.batches.settings = replace(client.batches.settings, max_bytes=64 * 1024 + 3000)
    results = run_all(client, [ask(f"{i} " + "x" * 1000) for i in range(6)])
    assert all(isinstance(c, Completion) for c in results)
    assert anthropic_standin.batches.creates == 3  # two ~1.2 kB requests fit in 3 kB


def test_errored_and_expired_requests_are_retried_in_a_new_batch(anthropic_standin, tmp_path):
    first_time: set[str] = set()

    def outcome(custom_id: str, params: dict) -> str | None:
        text = last_user_text(params)
        if text in ("question 1", "question 2") and text not in first_time:
            first_time.add(text)
            return "errored" if text == "question 1" else "expired"
        return None

    anthropic_standin.batches.outcome = outcome
    results = run_all(batch_client(tmp_path, anthropic_standin), questions(5))
    assert [c.text for c in results if isinstance(c, Completion)] == [f"echo: question {i}" for i in range(5)]
    assert anthropic_standin.batches.creates == 2 and anthropic_standin.batches.paid == 5
    assert anthropic_standin.request_count == 0


def test_a_refused_request_is_an_error_and_not_retried(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda r: (
        Reply(status=400, error_type="invalid_request_error") if "bad" in last_user_text(r) else "fine"
    )
    good, bad = run_all(batch_client(tmp_path, anthropic_standin), [ask("good"), ask("bad")])
    assert isinstance(good, Completion) and good.text == "fine"
    assert isinstance(bad, LLMError) and "invalid_request_error" in str(bad)
    assert anthropic_standin.batches.creates == 1


def test_a_batch_that_keeps_expiring_fails_closed(anthropic_standin, tmp_path):
    anthropic_standin.batches.delay_s, anthropic_standin.batches.expire_s = 10.0, 0.1
    results = run_all(batch_client(tmp_path, anthropic_standin), questions(3))
    assert all(isinstance(r, LLMError) and "expired" in str(r) for r in results)
    assert anthropic_standin.batches.creates == 3  # first try and two retries
    assert anthropic_standin.batches.paid == 0


def test_budget_is_reserved_at_the_batch_price(anthropic_standin, tmp_path):
    budget = Budget(max_calls=4)
    results = run_all(batch_client(tmp_path, anthropic_standin, budget=budget), questions(6))
    assert sum(isinstance(r, Completion) for r in results) == 4
    assert sum(isinstance(r, BudgetExceeded) for r in results) == 2
    assert anthropic_standin.batches.paid == 4 and budget.calls == 4

    usd = Budget(max_usd=1.0)
    spent = run_all(batch_client(tmp_path / "usd", anthropic_standin, budget=usd), questions(5))
    assert usd.spent_usd == pytest.approx(sum(c.cost_usd for c in spent if isinstance(c, Completion)))
    assert usd.reserved_usd == 0


def test_an_interrupted_run_collects_the_same_batch(anthropic_standin, tmp_path):
    anthropic_standin.batches.delay_s = 0.6
    client = batch_client(tmp_path, anthropic_standin)

    async def interrupted() -> None:
        task = asyncio.ensure_future(asyncio.gather(*(client.complete(r) for r in questions(8))))
        while not list(tmp_path.glob(".promptops/batches/*.json")):
            await asyncio.sleep(0.01)
        task.cancel()  # as Ctrl-C does
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.aclose()

    asyncio.run(interrupted())
    assert anthropic_standin.batches.creates == 1 and anthropic_standin.batches.paid == 0
    seen: list[BatchProgress] = []
    resumed = run_all(batch_client(tmp_path, anthropic_standin, on_batch=seen.append), questions(8))
    assert [c.text for c in resumed if isinstance(c, Completion)] == [f"echo: question {i}" for i in range(8)]
    assert anthropic_standin.batches.creates == 1 and anthropic_standin.batches.paid == 8
    assert seen[-1].resumed == 8 and not list(tmp_path.glob(".promptops/batches/*.json"))


def test_auto_batches_only_large_runs_where_waiting_is_acceptable(anthropic_standin, tmp_path):
    config = write_config(tmp_path, anthropic_provider_config(anthropic_standin, batch="auto"), batch=POLL)
    run_all(client_from_config(config), questions(3))  # an interactive run: direct
    assert anthropic_standin.request_count == 3 and anthropic_standin.batches.creates == 0
    small = client_from_config(config, waiting_ok=True)
    run_all(small, [ask(f"small {i}") for i in range(3)])  # below the threshold: direct
    assert anthropic_standin.request_count == 6 and anthropic_standin.batches.creates == 0
    assert small.batches is not None
    threshold = small.batches.settings.auto_min_requests
    run_all(client_from_config(config, waiting_ok=True), [ask(f"big {i}") for i in range(threshold)])
    assert anthropic_standin.request_count == 6 and anthropic_standin.batches.creates == 1


def test_never_and_no_batch_call_directly(anthropic_standin, tmp_path):
    config = write_config(tmp_path, anthropic_provider_config(anthropic_standin, batch="always"), batch=POLL)
    run_all(client_from_config(config, batch=False), questions(2))
    assert anthropic_standin.request_count == 2 and anthropic_standin.batches.creates == 0
    run_all(client_from_config(config), [ask("x"), ask("y")])
    assert anthropic_standin.batches.creates == 1


def test_batch_needs_a_provider_with_a_batch_api(openai_standin, tmp_path):
    config = write_config(
        tmp_path, {"name": "openai", "model": "llama3.2", "base_url": openai_standin.base_url}
    )
    with pytest.raises(ConfigError, match="Message Batches need provider.name anthropic"):
        client_from_config(config, batch=True)


def test_a_recorded_batch_the_api_does_not_know_fails_closed(anthropic_standin, tmp_path):
    from promptops.llm.batch_state import PendingBatches
    from promptops.llm.cache import cache_key

    keys = [cache_key("anthropic", anthropic_standin.url, r) for r in questions(2)]
    PendingBatches(tmp_path / ".promptops" / "batches").record("msgbatch_gone", anthropic_standin.url, keys)
    results = run_all(batch_client(tmp_path, anthropic_standin), questions(2))
    assert all(isinstance(r, LLMError) and "does not know that batch (HTTP 404)" in str(r) for r in results)
    assert "delete its record in .promptops/batches/" in str(results[0])
    assert anthropic_standin.batches.creates == 0  # nothing submitted (and paid) a second time
    assert (tmp_path / ".promptops" / "batches" / "msgbatch_gone.json").exists()


def test_a_batch_canceled_elsewhere_fails_its_samples(anthropic_standin, tmp_path):
    import anthropic

    from tests.standins.anthropic_server import STANDIN_API_KEY

    anthropic_standin.batches.delay_s = 30.0
    sdk = anthropic.Anthropic(api_key=STANDIN_API_KEY, base_url=anthropic_standin.url)

    def cancel_when_created(progress: BatchProgress) -> None:
        for batch_id in progress.batch_ids:
            sdk.messages.batches.cancel(batch_id)  # someone cancels it in the console

    results = run_all(batch_client(tmp_path, anthropic_standin, on_batch=cancel_when_created), questions(3))
    assert all(isinstance(r, LLMError) and "the batch was canceled" in str(r) for r in results)
    assert anthropic_standin.batches.paid == 0 and anthropic_standin.batches.creates == 1
