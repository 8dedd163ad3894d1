"""`promptops extract` on tools written in the common formats (issue 14, item 2).

Each fixture under fixtures/tools is a configuration as a user of that tool would have
it. Schemas are compared byte for byte: the stored `tools/<name>.schema.json` must be the
exact text of the source's schema (for JSON sources), and what the loaded agent sends to
the model must serialise exactly as the source's schema does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptops.config import load_config
from promptops.repo.agents import load_agent
from tests.conftest import run_cli
from tests.standins.anthropic_server import AnthropicStandin
from tests.standins.fixtures import anthropic_provider_config

FIXTURES = Path(__file__).parent / "fixtures" / "tools"


def pairs(text: str) -> Any:
    """Parsed JSON keeping key order and duplicates, for order-sensitive equality."""
    return json.loads(text, object_pairs_hook=list)


def extract(repo: Path, fixture: str, agent: str, *extra: str) -> tuple[int, str, str]:
    for name in FIXTURES.iterdir():
        shutil.copy(name, repo / name.name)
    result = run_cli(repo, "extract", fixture, "--agent", agent, *extra)
    return result.exit_code, result.stdout, result.stderr


def source_schemas(fixture: str) -> list[tuple[str, Any]]:
    """(tool name, schema) as the fixture's own format holds them, read independently."""
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    data = yaml.safe_load(text) if fixture.endswith(".yaml") else json.loads(text)
    tools = data["tools"]
    if isinstance(tools, dict):
        tools = tools["tools"]
    out = []
    for tool in tools:
        inner = tool.get("function", tool)
        schema = inner.get("parameters", inner.get("input_schema", inner.get("inputSchema")))
        out.append((inner["name"], schema))
    return out


@pytest.mark.parametrize(
    ("fixture", "fmt"),
    [
        ("openai-chat.json", "openai-chat"),
        ("openai-responses.json", "openai-responses"),
        ("cursor.json", "openai-responses"),
        ("mcp-result.json", "mcp"),
    ],
)
def test_json_tool_formats_keep_each_schema_byte_for_byte(repo: Path, fixture: str, fmt: str) -> None:
    code, out, err = extract(repo, fixture, "agent")
    assert code == 0, err
    source = (FIXTURES / fixture).read_text(encoding="utf-8")
    agent = load_agent(load_config(repo), "agent")
    expected = source_schemas(fixture)
    assert [t.name for t in agent.tools] == [name for name, _ in expected]
    for tool, (name, schema) in zip(agent.tools, expected, strict=True):
        stored = (repo / f"prompts/agent/tools/{name}.schema.json").read_text(encoding="utf-8")
        assert stored.endswith("\n") and stored[:-1] in source  # the author's exact text
        assert pairs(stored) == pairs(json.dumps(schema))  # and all of it, in order
        assert json.dumps(tool.input_schema) == json.dumps(schema)  # what a request carries
        assert f"tool {name}: read as {fmt}" in out.splitlines()


def test_number_literals_and_escapes_survive(repo: Path) -> None:
    assert extract(repo, "openai-chat.json", "billing")[0] == 0
    stored = (repo / "prompts/billing/tools/issue_credit.schema.json").read_text(encoding="utf-8")
    assert '"maximum": 5e3' in stored and "\\u2014" in stored
    schema = load_agent(load_config(repo), "billing").tools[1].input_schema
    assert schema["properties"]["amount"]["maximum"] == 5000.0  # a number, not YAML's string "5e3"
    assert schema["properties"]["reason"]["description"].endswith("\u2014 keep it polite.")


def test_openai_extras_are_reported_not_dropped_silently(repo: Path) -> None:
    code, out, _ = extract(repo, "openai-chat.json", "billing")
    assert code == 0
    assert (
        "note: tools[0].function.strict: not kept (an agent folder has no place for it)" in out.splitlines()
    )
    agent_yaml = yaml.safe_load((repo / "prompts/billing/agent.yaml").read_text())
    assert agent_yaml["tools"][0] == {
        "name": "get_invoice",
        "description_file": "tools/get_invoice.md",
        "input_schema_file": "tools/get_invoice.schema.json",
    }
    assert agent_yaml["model"] == "gpt-4.1-mini" and agent_yaml["invariants"]["variables"] == [
        "customer_id",
        "message",
    ]
    description = (repo / "prompts/billing/tools/get_invoice.md").read_text(encoding="utf-8")
    assert description.startswith("Fetch one invoice by its number. Returns line items,")


def test_anthropic_yaml_schemas_are_kept_whole(repo: Path) -> None:
    code, out, err = extract(repo, "anthropic.yaml", "travel")
    assert code == 0, err
    assert "note: tools[0].cache_control: not kept (an agent folder has no place for it)" in out.splitlines()
    agent = load_agent(load_config(repo), "travel")
    for tool, (name, schema) in zip(agent.tools, source_schemas("anthropic.yaml"), strict=True):
        stored = (repo / f"prompts/travel/tools/{name}.schema.json").read_text(encoding="utf-8")
        # a YAML source has no JSON text to copy: the file is its schema as JSON, nothing lost
        assert stored == json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        assert json.dumps(tool.input_schema) == json.dumps(schema)
    assert agent.tools[0].input_schema["properties"]["cabin"]["enum"][-1] == "no"  # not False


def test_mcp_tools_list_response_from_a_file(repo: Path) -> None:
    code, out, err = extract(repo, "mcp-agent.yaml", "triage")
    assert code == 0, err
    lines = out.splitlines()
    assert "tool create_issue: read as mcp" in lines and "tool get_file_contents: read as mcp" in lines
    assert (
        "note: mcp-tools-list.json: result.nextCursor: the server has more tools (a next page); "
        "only this page was read"
    ) in lines
    for dropped in ("result.tools[0].title", "result.tools[0].annotations", "result.tools[1].outputSchema"):
        note = f"note: mcp-tools-list.json: {dropped}: not kept (an agent folder has no place for it)"
        assert note in lines
    source = (FIXTURES / "mcp-tools-list.json").read_text(encoding="utf-8")
    response = json.loads(source)
    agent = load_agent(load_config(repo), "triage")
    for tool, listed in zip(agent.tools, response["result"]["tools"], strict=True):
        stored = (repo / f"prompts/triage/tools/{tool.name}.schema.json").read_text(encoding="utf-8")
        assert stored[:-1] in source and pairs(stored) == pairs(json.dumps(listed["inputSchema"]))
        assert tool.description == listed["description"]


def test_the_model_receives_the_schemas_exactly(repo: Path, anthropic_standin: AnthropicStandin) -> None:
    assert extract(repo, "openai-chat.json", "billing")[0] == 0
    config = {"provider": anthropic_provider_config(anthropic_standin)}
    (repo / ".promptops.yaml").write_text(yaml.safe_dump(config))
    cases = "cases:\n  - id: one\n    vars: {customer_id: C1, message: hi}\n"
    (repo / "prompts/billing/evals/cases.yaml").write_text(cases)
    result = run_cli(repo, "eval", "billing", "--no-cache", "--model", "claude-sonnet-5-5")
    assert result.exit_code in (0, 1), result.stderr
    sent = anthropic_standin.requests[0]["tools"]
    for tool, (name, schema) in zip(sent, source_schemas("openai-chat.json"), strict=True):
        assert tool["name"] == name
        assert json.dumps(tool["input_schema"]) == json.dumps(schema)


@pytest.mark.parametrize(
    ("tools", "where", "message"),
    [
        (
            [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}],
            "tools[0]",
            "tool of type 'web_search_20250305' (a provider's built-in tool) has no description or schema "
            "to extract; leave it out of the configuration. Accepted formats: OpenAI chat completions",
        ),
        (
            [{"tool_name": "x", "summary": "y", "args": {}}],
            "tools[0]",
            "unrecognised tool shape (keys: args, summary, tool_name); accepted formats: OpenAI chat "
            "completions {type: function, function: {name, description, parameters}}; OpenAI Responses / "
            "Cursor {name, description, parameters}; Anthropic {name, description, input_schema}; MCP "
            "tools/list {name, description, inputSchema}",
        ),
        (
            [{"name": "a", "description": "b", "parameters": {}, "input_schema": {}}],
            "tools[0]",
            "a tool has one schema, found parameters and input_schema",
        ),
        (
            [{"type": "function", "function": {"name": "bad name", "parameters": {}}}],
            "tools[0].function.name",
            "expected a tool name of 1 to 64 letters, digits, '_' or '-', got 'bad name'",
        ),
        (
            [{"name": "lookup", "inputSchema": {"type": "object"}}],
            "tools[0]",
            "tool 'lookup' has no description; it becomes the prompt tools/lookup.md, so write one",
        ),
        (
            [{"name": "lookup", "description": "x", "parameters": "none"}],
            "tools[0].parameters",
            "expected a JSON Schema object, got 'none'",
        ),
        (
            {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "Method not found"}},
            "tools",
            "this JSON-RPC response holds no result with tools",
        ),
    ],
)
def test_unknown_or_broken_tools_name_the_accepted_formats(
    repo: Path, tools: Any, where: str, message: str
) -> None:
    config = repo / "agent.json"
    config.write_text(json.dumps({"system_prompt": "Hi.", "tools": tools}, indent=2), encoding="utf-8")
    result = run_cli(repo, "extract", "agent.json", "--agent", "x")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith(f"promptops: {config}:") and f": error: {where}: {message}" in line
    assert "\n" not in line and not (repo / "prompts/x").exists()


def test_a_tool_declared_twice_across_formats(repo: Path) -> None:
    tools = [
        {"type": "function", "function": {"name": "lookup", "description": "a", "parameters": {}}},
        {"name": "lookup", "description": "b", "input_schema": {}},
    ]
    (repo / "agent.json").write_text(json.dumps({"system_prompt": "Hi.", "tools": tools}), encoding="utf-8")
    result = run_cli(repo, "extract", "agent.json", "--agent", "x")
    assert result.exit_code == 2 and "tools[1].name: tool 'lookup' is declared twice" in result.stderr


def test_lint_checks_schema_files(repo: Path) -> None:
    assert extract(repo, "cursor.json", "coder")[0] == 0
    assert run_cli(repo, "lint").exit_code == 0
    (repo / "prompts/coder/tools/read_file.schema.json").write_text('{"type": "objekt"}\n', encoding="utf-8")
    result = run_cli(repo, "lint")
    assert result.exit_code == 1
    finding = "prompts/coder/tools/read_file.schema.json:1:1: PO107 not a valid JSON Schema"
    assert result.stdout.startswith(finding)


def test_a_tool_with_both_schema_keys_in_agent_yaml(repo: Path) -> None:
    assert extract(repo, "cursor.json", "coder")[0] == 0
    agent_yaml = repo / "prompts/coder/agent.yaml"
    text = agent_yaml.read_text(encoding="utf-8")
    agent_yaml.write_text(
        text.replace(
            "  input_schema_file: tools/read_file.schema.json\n",
            "  input_schema_file: tools/read_file.schema.json\n  input_schema: {type: object}\n",
            1,
        ),
        encoding="utf-8",
    )
    result = run_cli(repo, "list")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "error: tools[0]: write one of input_schema or input_schema_file, not both"
    )
