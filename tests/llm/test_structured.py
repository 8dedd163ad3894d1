"""complete_json: forced tool call (Anthropic), JSON in text (others), repair, final failure."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from promptops.llm.client import client_from_config
from promptops.llm.errors import StructuredOutputError
from promptops.llm.structured import complete_json as complete_json_with
from tests.conftest import run_cli
from tests.llm.helpers import ask, write_config
from tests.standins import Reply, anthropic_provider_config, openai_provider_config

SCHEMA = {
    "type": "object",
    "properties": {"label": {"enum": ["refund", "other"]}, "confidence": {"type": "number"}},
    "required": ["label", "confidence"],
    "additionalProperties": False,
}


def complete_json(client, request, schema=SCHEMA):
    async def run():
        try:
            return await complete_json_with(client, request, schema, name="classify")
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_anthropic_forces_a_tool_call_with_the_schema(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply.tool("classify", {"label": "refund", "confidence": 0.9})
    client = client_from_config(write_config(tmp_path, anthropic_provider_config(anthropic_standin)))
    assert complete_json(client, ask("I want my money back")) == {"label": "refund", "confidence": 0.9}
    sent = anthropic_standin.requests[0]
    assert sent["tool_choice"] == {"type": "tool", "name": "classify"}
    assert sent["tools"][0]["name"] == "classify" and sent["tools"][0]["input_schema"] == SCHEMA


def test_invalid_tool_input_is_repaired_with_the_validator_message(anthropic_standin, tmp_path):
    replies = iter(
        [
            Reply.tool("classify", {"label": "angry", "confidence": 0.5}),
            Reply.tool("classify", {"label": "other", "confidence": 0.5}),
        ]
    )
    anthropic_standin.reply = lambda req: next(replies)
    client = client_from_config(write_config(tmp_path, anthropic_provider_config(anthropic_standin)))
    assert complete_json(client, ask("hmm")) == {"label": "other", "confidence": 0.5}

    repair = anthropic_standin.requests[1]["messages"]
    assert repair[1]["content"][0]["type"] == "tool_use"
    feedback = repair[2]["content"][0]
    assert feedback["type"] == "tool_result" and feedback["is_error"] is True
    assert "at label: 'angry' is not one of ['refund', 'other']" in feedback["content"]


def test_model_refusing_forced_tool_use_falls_back_to_json_text(anthropic_standin, tmp_path):
    anthropic_standin.queue(Reply(status=400, error_type="invalid_request_error"))
    anthropic_standin.reply = lambda req: 'Here: {"label": "refund", "confidence": 1}'
    client = client_from_config(write_config(tmp_path, anthropic_provider_config(anthropic_standin)))
    assert complete_json(client, ask("refund?")) == {"label": "refund", "confidence": 1}
    assert "tool_choice" not in anthropic_standin.requests[1]
    assert "JSON Schema" in anthropic_standin.requests[1]["system"]


def test_openai_parses_the_first_json_object_and_repairs_non_json(openai_standin, tmp_path):
    replies = iter(["I think it is a refund.", 'Sure!\n```json\n{"label": "refund", "confidence": 0.7}\n```'])
    openai_standin.reply = lambda req: next(replies)
    client = client_from_config(write_config(tmp_path, openai_provider_config(openai_standin)))
    assert complete_json(client, ask("x", model="llama3.2")) == {"label": "refund", "confidence": 0.7}
    messages = openai_standin.requests[1]["messages"]
    assert messages[0]["role"] == "system" and '"required": ["label", "confidence"]' in messages[0]["content"]
    assert messages[-1]["content"].startswith("That reply is not valid: the reply contains no JSON object")


def test_gives_up_after_two_repairs_with_the_raw_text(openai_standin, tmp_path):
    openai_standin.reply = lambda req: Reply.truncated('{"label": "refund", "confid')
    client = client_from_config(write_config(tmp_path, openai_provider_config(openai_standin)))
    with pytest.raises(StructuredOutputError) as caught:
        complete_json(client, ask("x", model="llama3.2"))
    assert openai_standin.request_count == 3
    assert caught.value.raw_text == '{"label": "refund", "confid'
    assert "after 2 repair requests" in str(caught.value) and "cut off at max_tokens" in str(caught.value)


def test_cli_saves_the_raw_reply_and_names_the_file(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply.tool("respond", {"label": 42})
    write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    (tmp_path / "schema.yaml").write_text(
        "type: object\nproperties: {label: {type: string}}\n", encoding="utf-8"
    )
    result = run_cli(tmp_path, "ask", "--schema", str(tmp_path / "schema.yaml"), "classify this")

    assert result.exit_code == 1 and result.stdout == ""
    line = result.stderr.strip()
    assert line.startswith("promptops: the model's reply for 'respond' did not match its schema")
    saved = line.rsplit("the raw reply is saved in ", 1)[1]
    assert saved.startswith(str(tmp_path / ".promptops" / "failed-replies"))
    assert Path(saved).read_text(encoding="utf-8") == '{"label": 42}'


def test_cli_prints_valid_structured_answer(anthropic_standin, tmp_path):
    anthropic_standin.reply = lambda req: Reply.tool("respond", {"label": "ok"})
    write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    (tmp_path / "schema.json").write_text('{"type": "object", "required": ["label"]}', encoding="utf-8")
    result = run_cli(tmp_path, "ask", "--schema", str(tmp_path / "schema.json"), "x")
    assert result.exit_code == 0 and '"label": "ok"' in result.stdout


def test_invalid_schema_is_bad_input(anthropic_standin, tmp_path):
    client = client_from_config(write_config(tmp_path, anthropic_provider_config(anthropic_standin)))
    with pytest.raises(Exception, match="not a valid JSON Schema") as caught:
        complete_json(client, ask("x"), schema={"type": "objekt"})
    assert caught.value.exit_code == 2 and anthropic_standin.request_count == 0


def test_reply_without_the_tool_call_is_asked_again(anthropic_standin, tmp_path):
    replies = iter(
        [Reply(text="The label is refund."), Reply.tool("classify", {"label": "refund", "confidence": 1})]
    )
    anthropic_standin.reply = lambda req: next(replies)
    client = client_from_config(write_config(tmp_path, anthropic_provider_config(anthropic_standin)))
    assert complete_json(client, ask("x")) == {"label": "refund", "confidence": 1}
    follow_up = anthropic_standin.requests[1]["messages"][-1]["content"]
    assert follow_up == (
        "That reply is not valid: the reply did not call the tool 'classify'. Call classify with your answer."
    )
