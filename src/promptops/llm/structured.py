"""Structured output: a reply that validates against a JSON Schema, or a clear failure.

With a provider that supports it (Anthropic) the schema becomes the `input_schema` of a
tool the model is forced to call, so the reply is JSON by construction; elsewhere the
system prompt asks for one JSON object and the first one in the text is taken. Either
way jsonschema validates it; on failure the model is shown the validator's message and
asked again (at most MAX_REPAIRS times), then StructuredOutputError carries the raw reply
so the CLI can save it for the user to inspect. A model that refuses forced tool use
(HTTP 400 on the first request) is asked for JSON in the text instead.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import jsonschema
from jsonschema.exceptions import best_match

from promptops.errors import InputError
from promptops.llm.errors import LLMError, StructuredOutputError
from promptops.llm.types import Completion, CompletionRequest, ToolSpec

MAX_REPAIRS = 2
PROBLEM_CHARS = 300
JSON_INSTRUCTION = (
    "Reply with only one JSON object (no prose, no code fences) that validates against this JSON Schema:\n"
)


class Completer(Protocol):
    """What structured output needs of a client (an `LLMClient`): its provider and `complete`.

    Structured output sits on top of the client and takes any object of this shape, so the
    client never needs to know about it.
    """

    provider: Any

    async def complete(self, request: CompletionRequest) -> Completion: ...


async def complete_json(
    client: Completer, request: CompletionRequest, schema: dict[str, Any], *, name: str = "respond"
) -> dict[str, Any]:
    """Ask until the reply validates against `schema` (1 + MAX_REPAIRS calls at most)."""
    validator = _validator(schema, name)
    via_tools = bool(getattr(client.provider, "structured_via_tools", False))
    current = _tool_request(request, schema, name) if via_tools else _text_request(request, schema)
    for attempt in range(MAX_REPAIRS + 1):
        try:
            completion = await client.complete(current)
        except LLMError as exc:
            if not (via_tools and attempt == 0 and exc.status == 400):
                raise
            # Some models refuse a forced tool call (Sonnet 5.5, always-thinking models):
            # ask for JSON in the text instead.
            via_tools, current = False, _text_request(request, schema)
            completion = await client.complete(current)
        raw, data, problem = _tool_reply(completion, name) if via_tools else _text_reply(completion)
        if problem is None:
            problem = _schema_problem(validator, data)
        if problem is None:
            return data
        if completion.stop_reason == "max_tokens":
            problem += " (the reply was cut off at max_tokens; answer more briefly)"
        if attempt == MAX_REPAIRS:
            raise StructuredOutputError(
                f"the model's reply for '{name}' did not match its schema after {MAX_REPAIRS} repair "
                f"requests: {problem}",
                raw,
            )
        current = _repair_request(current, completion, problem, name, via_tools)
    raise AssertionError("unreachable")


def _validator(schema: dict[str, Any], name: str) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InputError(f"the schema for '{name}' is not a valid JSON Schema: {exc.message}") from None
    return cls(schema)


def _tool_request(request: CompletionRequest, schema: dict[str, Any], name: str) -> CompletionRequest:
    tool = ToolSpec(name=name, description="Give your answer as this tool's input.", input_schema=schema)
    params = {**request.params, "tool_choice": {"type": "tool", "name": name}}
    return replace(request, tools=(*request.tools, tool), params=params)


def _text_request(request: CompletionRequest, schema: dict[str, Any]) -> CompletionRequest:
    instruction = JSON_INSTRUCTION + json.dumps(schema, sort_keys=True)
    system = f"{request.system}\n\n{instruction}" if request.system else instruction
    return replace(request, system=system)


def _tool_reply(completion: Completion, name: str) -> tuple[str, Any, str | None]:
    call = next((c for c in completion.tool_calls if c.name == name), None)
    if call is None:
        return completion.text, None, f"the reply did not call the tool '{name}'"
    return json.dumps(call.arguments, ensure_ascii=False), call.arguments, None


def _text_reply(completion: Completion) -> tuple[str, Any, str | None]:
    data = first_json_object(completion.text)
    if data is None:
        return completion.text, None, "the reply contains no JSON object"
    return completion.text, data, None


def first_json_object(text: str) -> dict[str, Any] | None:
    """The first `{...}` in `text` that parses as a JSON object (prose or fences around it are fine)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def _schema_problem(validator: jsonschema.protocols.Validator, data: Any) -> str | None:
    error = best_match(validator.iter_errors(data))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"at {where}: {error.message}"[:PROBLEM_CHARS]


def _repair_request(
    request: CompletionRequest, completion: Completion, problem: str, name: str, via_tools: bool
) -> CompletionRequest:
    call = next((c for c in completion.tool_calls if c.name == name), None) if via_tools else None
    if call is not None:
        said: dict[str, Any] = {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": call.id, "name": name, "input": call.arguments}],
        }
        ask: dict[str, Any] = {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": call.id,
                    "is_error": True,
                    "content": f"Invalid input {problem}. Call {name} again with corrected input.",
                }
            ],
        }
    else:
        said = {"role": "assistant", "content": completion.text or "(no reply)"}
        fix = f"Call {name} with your answer." if via_tools else "Reply with only the corrected JSON object."
        ask = {"role": "user", "content": f"That reply is not valid: {problem}. {fix}"}
    return replace(request, messages=(*request.messages, said, ask))


def save_raw_reply(error: StructuredOutputError, folder: Path) -> Path:
    """Write the raw reply of a failed structured call to a new file in `folder`; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(error.raw_text.encode("utf-8")).hexdigest()[:8]
    path = folder / f"structured-output-{time.strftime('%Y%m%dT%H%M%S')}-{digest}.txt"
    path.write_text(error.raw_text, encoding="utf-8")
    return path
