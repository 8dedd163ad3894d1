"""The budget counts HTTP attempts, retries included, and a timed-out attempt at its worst case.

Through the real anthropic SDK and the OpenAI-compatible provider against the stand-ins,
with a CallMeter opened on a Budget as the client does for each call.
"""

from __future__ import annotations

import asyncio

import pytest

from promptops.llm.budget import Budget, metered
from promptops.llm.errors import BudgetExceeded, CallTimeout
from promptops.llm.pricing import PriceTable
from promptops.llm.providers.anthropic import AnthropicProvider
from promptops.llm.providers.openai_compat import OpenAICompatProvider
from tests.llm.helpers import ask
from tests.standins import Reply

PRICES = PriceTable.from_config({"claude-sonnet-5-5": {"input": 2.0, "output": 10.0}})


def metered_call(provider, budget: Budget, worst_case_usd: float, text: str = "hello"):
    async def run():
        meter = budget.open_call(worst_case_usd)
        completion = None
        try:
            with metered(meter):
                completion = await provider.complete(ask(text))
            return completion, meter
        except CallTimeout:
            meter.finish(None, timed_out=True)
            raise
        finally:
            if completion is not None:
                meter.finish(completion.cost_usd)
            await provider.aclose()

    return asyncio.run(run())


def test_retries_count_as_calls_and_stop_at_the_call_budget(anthropic_standin):
    anthropic_standin.queue(*(Reply.overloaded(retry_after=0.01) for _ in range(5)))
    provider = AnthropicProvider(prices=PRICES, base_url=anthropic_standin.url, max_retries=4)
    budget = Budget(max_calls=3)
    with pytest.raises(BudgetExceeded, match="call budget reached: 3 of 3 calls used"):
        metered_call(provider, budget, 0.0)
    # Three HTTP attempts were allowed (the first and two retries); the fourth never left.
    assert anthropic_standin.request_count == 3
    assert budget.calls == 3


def test_a_retried_call_that_succeeds_counts_every_attempt(anthropic_standin):
    anthropic_standin.queue(Reply.rate_limited(retry_after=0.01), Reply.server_error(retry_after=0.01))
    provider = AnthropicProvider(prices=PRICES, base_url=anthropic_standin.url, max_retries=4)
    budget = Budget(max_calls=10, max_usd=1.0)
    completion, meter = metered_call(provider, budget, 0.01)
    assert completion.text == "echo: hello"
    assert anthropic_standin.request_count == 3 and budget.calls == 3 and meter.attempts == 3
    # Error answers cost nothing; the reservation became the real cost.
    assert budget.spent_usd == pytest.approx(completion.cost_usd) and budget.reserved_usd == 0


def test_a_timed_out_attempt_is_settled_at_its_worst_case(anthropic_standin):
    anthropic_standin.queue(Reply.slow(1.0))
    provider = AnthropicProvider(prices=PRICES, base_url=anthropic_standin.url, max_retries=1, timeout_s=0.3)
    budget = Budget(max_usd=1.0)
    completion, _ = metered_call(provider, budget, 0.25)
    assert completion.text == "echo: hello" and budget.calls == 2
    assert budget.spent_usd == pytest.approx(0.25 + completion.cost_usd)
    assert budget.reserved_usd == 0


def test_a_final_timeout_is_charged_its_worst_case_too(anthropic_standin):
    anthropic_standin.queue(Reply.slow(1.0))
    provider = AnthropicProvider(prices=PRICES, base_url=anthropic_standin.url, max_retries=0, timeout_s=0.3)
    budget = Budget(max_usd=1.0)
    with pytest.raises(CallTimeout):
        metered_call(provider, budget, 0.25)
    assert budget.spent_usd == pytest.approx(0.25) and budget.reserved_usd == 0


def test_openai_compatible_retries_are_counted(openai_standin):
    openai_standin.queue(Reply.rate_limited(retry_after=0.01), Reply.rate_limited(retry_after=0.01))
    provider = OpenAICompatProvider(base_url=openai_standin.base_url, prices=PRICES, max_retries=4)
    budget = Budget(max_calls=2)
    with pytest.raises(BudgetExceeded):
        metered_call(provider, budget, 0.0)
    assert openai_standin.request_count == 2 and budget.calls == 2


def test_the_client_meters_retries_and_timeouts(anthropic_standin, tmp_path):
    from promptops.llm.client import client_from_config
    from tests.llm.helpers import write_config
    from tests.standins import anthropic_provider_config

    anthropic_standin.queue(Reply.overloaded(retry_after=0.01), Reply.overloaded(retry_after=0.01))
    config = write_config(
        tmp_path, anthropic_provider_config(anthropic_standin, max_retries=4), cache={"enabled": False}
    )
    budget = Budget(max_calls=4)
    client = client_from_config(config, budget=budget)
    assert client.complete_sync(ask("one")).text == "echo: one"
    assert budget.calls == 3  # one call, three HTTP attempts
    with pytest.raises(BudgetExceeded, match="4 of 4 calls used"):
        anthropic_standin.queue(Reply.overloaded(retry_after=0.01))
        client.complete_sync(ask("two"))
    assert anthropic_standin.request_count == 4
