"""Tool definitions as the common tool formats write them, read into one shape.

Users bring tools from wherever their agent runs: OpenAI chat completions wrap each in
`{type: function, function: {...}}`, the OpenAI Responses API and Cursor write
`{name, description, parameters}`, Anthropic `{name, description, input_schema}`, and an
MCP server's `tools/list` answers `{tools: [{name, description, inputSchema}]}` (often
saved with its JSON-RPC envelope). `extract` accepts all of them, keeps each schema
exactly as written (see `ToolDefinition.schema_text`), reports every key it does not
carry over, and refuses a shape it does not know with the list of shapes it does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from promptops.files import Document, format_json_path

TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ACCEPTED = (
    "OpenAI chat completions {type: function, function: {name, description, parameters}}; "
    "OpenAI Responses / Cursor {name, description, parameters}; "
    "Anthropic {name, description, input_schema}; "
    "MCP tools/list {name, description, inputSchema}, also as the result {tools: [...]} "
    "or the JSON-RPC response {jsonrpc, id, result: {tools: [...]}}"
)
SCHEMA_KEYS = {"parameters": "openai-responses", "input_schema": "anthropic", "inputSchema": "mcp"}
JsonPath = list[str | int]


@dataclass(frozen=True)
class ToolDefinition:
    """One tool: its name, description (a prompt), and its JSON Schema as written."""

    name: str
    description: str
    schema: dict[str, Any] | None  # None: the tool declares no input schema
    schema_text: str | None  # the schema's exact text when the source is JSON, else None
    format: str  # openai-chat, openai-responses, anthropic, mcp, plain
    dropped: tuple[str, ...] = ()  # one note per key not carried over, naming its JSON path

    def schema_file_text(self) -> str:
        """What `tools/<name>.schema.json` holds: the schema byte for byte when the source was JSON."""
        text = self.schema_text
        if text is None:
            text = json.dumps(self.schema, indent=2, ensure_ascii=False)
        return text + "\n"


def tool_entries(doc: Document, json_path: JsonPath) -> tuple[list[tuple[JsonPath, Any]], list[str]]:
    """(path, item) of each tool under `json_path` (a list, an MCP result or a JSON-RPC
    response), and notes on what the envelope said that is not a tool."""
    value = _at(doc.data, json_path)
    notes = []
    if isinstance(value, dict) and "jsonrpc" in value:
        if "error" in value or not isinstance(value.get("result"), dict):
            raise doc.error(json_path, "this JSON-RPC response holds no result with tools")
        json_path, value = [*json_path, "result"], value["result"]
    if isinstance(value, dict) and isinstance(value.get("tools"), list):
        if value.get("nextCursor"):
            where = format_json_path([*json_path, "nextCursor"])
            notes.append(f"{where}: the server has more tools (a next page); only this page was read")
        json_path, value = [*json_path, "tools"], value["tools"]
    if not isinstance(value, list):
        raise doc.error(json_path, f"expected a list of tools; accepted formats: {ACCEPTED}")
    return [([*json_path, i], item) for i, item in enumerate(value)], notes


def read_tool(doc: Document, json_path: JsonPath, item: Any) -> ToolDefinition:
    """The tool at `json_path`, in whichever accepted format it is written."""
    if not isinstance(item, dict):
        raise doc.error(json_path, f"expected a tool object; accepted formats: {ACCEPTED}")
    if item.get("type") == "function" and isinstance(item.get("function"), dict):
        extra = [[*json_path, k] for k in item if k not in ("type", "function")]
        return _read(doc, [*json_path, "function"], item["function"], "openai-chat", "parameters", extra)
    present = [k for k in SCHEMA_KEYS if k in item]
    if len(present) > 1:
        raise doc.error(json_path, f"a tool has one schema, found {' and '.join(present)}")
    if present:
        return _read(doc, json_path, item, SCHEMA_KEYS[present[0]], present[0], [])
    if "name" in item and "description" in item and item.get("type") in (None, "custom", "function"):
        return _read(doc, json_path, item, "plain", None, [])
    raise doc.error(json_path, _unknown_shape(item))


def _unknown_shape(item: dict[str, Any]) -> str:
    kind = item.get("type")
    if isinstance(kind, str) and kind not in ("function", "custom") and "description" not in item:
        return (
            f"tool of type {kind!r} (a provider's built-in tool) has no description or schema "
            f"to extract; leave it out of the configuration. Accepted formats: {ACCEPTED}"
        )
    keys = ", ".join(sorted(map(str, item))) or "none"
    return f"unrecognised tool shape (keys: {keys}); accepted formats: {ACCEPTED}"


def _read(
    doc: Document,
    json_path: JsonPath,
    item: dict[str, Any],
    fmt: str,
    schema_key: str | None,
    dropped: list[JsonPath],
) -> ToolDefinition:
    name = item.get("name")
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise doc.error(
            [*json_path, "name"] if "name" in item else json_path,
            f"expected a tool name of 1 to 64 letters, digits, '_' or '-', got {name!r}",
        )
    description = item.get("description")
    if "description" in item and not isinstance(description, str):
        raise doc.error([*json_path, "description"], f"expected string, got {_kind(description)}")
    if not isinstance(description, str) or not description.strip():
        raise doc.error(
            [*json_path, "description"] if "description" in item else json_path,
            f"tool {name!r} has no description; it becomes the prompt tools/{name}.md, so write one",
        )
    schema, schema_text = None, None
    if schema_key is not None:
        schema = item[schema_key]
        if not isinstance(schema, dict):
            raise doc.error([*json_path, schema_key], f"expected a JSON Schema object, got {schema!r}")
        schema_text = doc.json_excerpt([*json_path, schema_key])
    # `strict`, `cache_control`, MCP's `title`/`annotations`/`outputSchema`...: an agent
    # folder has no place for them, so they are named in the report rather than kept.
    carried = {"name", "description", schema_key, "type"}
    dropped += [[*json_path, k] for k in item if k not in carried]
    return ToolDefinition(
        name=name,
        description=description,
        schema=schema,
        schema_text=schema_text,
        format=fmt,
        dropped=tuple(
            f"{format_json_path(p)}: not kept (an agent folder has no place for it)" for p in dropped
        ),
    )


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _at(data: Any, json_path: JsonPath) -> Any:
    for key in json_path:
        data = data[key]
    return data


def check_unique(doc: Document, tools: list[tuple[JsonPath, ToolDefinition]]) -> None:
    """Two tools with one name would write one file twice."""
    seen: set[str] = set()
    for json_path, tool in tools:
        if tool.name in seen:
            path = [*json_path, "function"] if tool.format == "openai-chat" else json_path
            raise doc.error([*path, "name"], f"tool {tool.name!r} is declared twice")
        seen.add(tool.name)
