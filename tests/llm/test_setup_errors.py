"""Bad setup fails first with one actionable line; secrets never leak into errors or logs."""

from __future__ import annotations

import logging

import pytest

from promptops.llm.client import client_from_config
from promptops.llm.errors import LLMError, MissingAPIKey
from tests.conftest import run_cli
from tests.llm.helpers import ask, write_config
from tests.standins import STANDIN_API_KEY, Reply, anthropic_provider_config


def test_missing_key_names_the_variable_exit_2_before_any_work(anthropic_standin, tmp_path, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    result = run_cli(tmp_path, "ask", "hello")

    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "promptops: ANTHROPIC_API_KEY is not set: export ANTHROPIC_API_KEY=<your Anthropic API key> "
        "(provider.api_key_env in .promptops.yaml names the variable to read)"
    ]
    assert anthropic_standin.request_count == 0 and not (tmp_path / ".promptops").exists()


def test_custom_key_variable_is_named(anthropic_standin, tmp_path):
    config = write_config(
        tmp_path, anthropic_provider_config(anthropic_standin, api_key_env="TEAM_CLAUDE_KEY")
    )
    with pytest.raises(MissingAPIKey, match="^TEAM_CLAUDE_KEY is not set"):
        client_from_config(config)


def test_optimizer_section_inherits_provider_and_must_exist(anthropic_standin, tmp_path):
    config = write_config(
        tmp_path,
        anthropic_provider_config(anthropic_standin),
        optimizer={"provider": {"model": "claude-opus-5-5"}},
    )
    client = client_from_config(config, section="optimizer.provider")
    assert client.model == "claude-opus-5-5" and client.provider.base_url == anthropic_standin.url
    bare = write_config(tmp_path / "b", anthropic_provider_config(anthropic_standin))
    with pytest.raises(Exception, match="optimizer.provider is not set"):
        client_from_config(bare, section="optimizer.provider")


def test_openai_provider_needs_a_base_url(tmp_path):
    config = write_config(tmp_path, {"name": "openai", "model": "llama3.2"})
    with pytest.raises(Exception, match="provider.base_url is required for the openai provider"):
        client_from_config(config)


def test_unknown_provider_in_config_is_rejected_with_the_known_ones(tmp_path):
    (tmp_path / ".promptops.yaml").write_text("provider: {name: gemini}\n", encoding="utf-8")
    result = run_cli(tmp_path, "ask", "hi")
    assert result.exit_code == 2 and "provider.name" in result.stderr
    assert "anthropic" in result.stderr and "echo" in result.stderr


def test_no_key_or_request_body_in_errors_or_logs(anthropic_standin, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_from_config(
        write_config(tmp_path, anthropic_provider_config(anthropic_standin, max_retries=1))
    )
    client.complete_sync(ask("PRIVATE-CUSTOMER-DATA ok"))
    errors = []
    retried = (Reply.server_error(), Reply.rate_limited(), Reply.dropped())  # once more after max_retries=1
    final = (Reply(status=400, error_type="invalid_request_error"), Reply(status=401, error_type="x"))
    for fault, times in [*((f, 2) for f in retried), *((f, 1) for f in final)]:
        anthropic_standin.queue(*[fault] * times)
        with pytest.raises(LLMError) as caught:
            client.complete_sync(ask("PRIVATE-CUSTOMER-DATA fail"))
        errors.append(str(caught.value))
    assert len(errors) == 5 and "was rejected" in errors[-1]
    for text in [*errors, caplog.text, repr(client), repr(client.provider)]:
        assert STANDIN_API_KEY not in text
        assert "PRIVATE-CUSTOMER-DATA" not in text


def test_echo_provider_says_it_was_used(tmp_path):
    client = client_from_config(write_config(tmp_path, {"name": "echo", "model": "any"}))
    completion = client.complete_sync(ask("dry run"))
    assert completion.provider == "echo" and completion.cost_usd == 0
    assert completion.text == "You are terse.\n\ndry run" and completion.input_tokens > 0
    assert client.ledger.providers == ["echo"] and "via echo" in client.ledger.summary()
