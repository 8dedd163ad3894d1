"""Budgets stop before a call that would pass them; cached calls are free."""

from __future__ import annotations

import asyncio

import pytest

from promptops.errors import ConfigError
from promptops.llm.budget import Budget
from promptops.llm.client import client_from_config
from promptops.llm.errors import BudgetExceeded
from tests.conftest import run_cli
from tests.llm.helpers import ask, write_config
from tests.standins import Reply, anthropic_provider_config


def test_call_budget_stops_before_the_extra_call_and_keeps_results(anthropic_standin, tmp_path):
    config = write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    client = client_from_config(config, budget=Budget(max_calls=3))
    done = [client.complete_sync(ask(f"q{i}")).text for i in range(3)]
    with pytest.raises(BudgetExceeded, match="call budget reached: 3 of 3 calls used"):
        client.complete_sync(ask("q3"))
    assert done == ["echo: q0", "echo: q1", "echo: q2"] and anthropic_standin.request_count == 3
    assert client.complete_sync(ask("q1")).cached  # cached answers stay free


def test_usd_budget_is_never_passed_even_with_concurrency(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply(text="x", input_tokens=30, output_tokens=60)
    anthropic_standin.delay_s = 0.02
    config = write_config(
        tmp_path, anthropic_provider_config(anthropic_standin, max_concurrency=8), cache={"enabled": False}
    )
    # each call costs $0.00066 (30 in at $2/M, 60 out at $10/M); its worst case is ~$0.00075
    budget = Budget(max_usd=0.005)
    client = client_from_config(config, budget=budget)

    async def run():
        try:
            return await asyncio.gather(
                *(client.complete(ask(f"q{i}")) for i in range(20)), return_exceptions=True
            )
        finally:
            await client.aclose()

    results = asyncio.run(run())
    made = [r for r in results if not isinstance(r, BaseException)]
    stopped = [r for r in results if isinstance(r, BudgetExceeded)]
    assert len(made) + len(stopped) == 20 and made and stopped
    assert budget.spent_usd <= 0.005 and budget.reserved_usd == 0
    assert anthropic_standin.request_count == len(made)
    assert budget.spent_usd == pytest.approx(sum(c.cost_usd for c in made))


def test_usd_budget_needs_a_price(anthropic_standin, tmp_path):
    client = client_from_config(
        write_config(tmp_path, anthropic_provider_config(anthropic_standin)), budget=Budget(max_usd=1)
    )
    with pytest.raises(ConfigError, match="no price for model 'claude-next'.*pricing"):
        client.complete_sync(ask("x", model="claude-next"))
    assert anthropic_standin.request_count == 0


def test_budget_options_on_the_command_line(anthropic_standin, tmp_path):
    write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    result = run_cli(tmp_path, "ask", "--budget-usd", "0.0000001", "hello")
    assert result.exit_code == 1
    assert result.stderr.startswith("promptops: USD budget reached") and anthropic_standin.request_count == 0
    assert run_cli(tmp_path, "ask", "--budget-calls", "1", "hello").exit_code == 0


def test_budget_options_fall_back_to_config_defaults():
    from promptops.cli.options import budget_from_options

    assert budget_from_options(None, None) is None
    assert budget_from_options(None, None, {"calls": 300, "usd": 5.0}) == Budget(max_calls=300, max_usd=5.0)
    assert budget_from_options(10, None, {"calls": 300, "usd": 5.0}) == Budget(max_calls=10, max_usd=5.0)
