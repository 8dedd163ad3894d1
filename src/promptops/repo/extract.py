"""`promptops extract`: turn one agent configuration (JSON or YAML) into an agent folder.

The seed's shape is `system_prompt`, optional `user_template`, `tools` and `examples[]`
(`{user, assistant}` or `{input, output}`). Tools may be written in any format
`tool_formats` reads (OpenAI, Anthropic, MCP), inline or as a path to a file such as a
saved `tools/list` response; each schema goes to `tools/<name>.schema.json` exactly as
written. Everything is validated before anything is written, the generated agent.yaml is
checked against its own schema, and the folder appears in one move (`folders.write_folder`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.config import Config
from promptops.files import Document, dump_yaml, load_document, parse_document
from promptops.repo.agents import check_agent_id
from promptops.repo.folders import write_folder
from promptops.repo.templates import malformed_placeholders, template_variables
from promptops.repo.tokens import count_tokens
from promptops.repo.tool_formats import ToolDefinition, check_unique, read_tool, tool_entries
from promptops.schemas import load_schema, validate_document

EXAMPLE_SHAPES = (("user", "assistant"), ("input", "output"))
PARAM_KEYS = ("temperature", "max_tokens")


@dataclass(frozen=True)
class WrittenFile:
    rel_path: str
    tokens: int | None


@dataclass(frozen=True)
class ExtractResult:
    agent_id: str
    folder: Path
    files: list[WrittenFile]
    ignored_keys: list[str] = field(default_factory=list)
    tool_formats: dict[str, str] = field(default_factory=dict)  # tool name -> format it was read as
    not_kept: list[str] = field(default_factory=list)  # `source: tools[0].function.strict`, ...

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent_id,
            "folder": str(self.folder),
            "files": [{"path": f.rel_path, "tokens": f.tokens} for f in self.files],
            "ignored_keys": self.ignored_keys,
            "tool_formats": self.tool_formats,
            "not_kept": self.not_kept,
        }


def extract_agent(config: Config, source: Path, agent_id: str, *, force: bool = False) -> ExtractResult:
    """Write `prompts/<agent_id>/` from the configuration file `source`."""
    check_agent_id(agent_id)
    doc = load_document(source)
    validate_document(doc, "agent-config")
    examples = _examples(doc)
    _check_placeholders(doc)
    tools, not_kept = _tools(doc, source)
    files, prompt_files = _render(doc.data, agent_id, examples, tools)
    generated = Path(f"<generated agent.yaml for {agent_id}>")
    validate_document(parse_document(files["agent.yaml"], generated), "agent")
    folder = config.prompts_dir / agent_id
    write_folder(folder, files, replace=force)
    rel = folder.relative_to(config.root).as_posix()
    written = [
        WrittenFile(f"{rel}/{name}", count_tokens(text) if name in prompt_files else None)
        for name, text in files.items()
    ]
    known = set(load_schema("agent-config")["properties"])
    return ExtractResult(
        agent_id,
        folder,
        written,
        sorted(k for k in doc.data if k not in known),
        {t.name: t.format for t in tools},
        not_kept,
    )


def _check_placeholders(doc: Document) -> None:
    """A template whose `{{ }}` would reach the model as literal text is refused here, not later."""
    for key in ("user_template", "assistant_template"):
        bad = malformed_placeholders(doc.data.get(key, ""))
        if bad:
            raise doc.error([key], f"{bad[0].message} (template line {bad[0].line}, column {bad[0].column})")


def _tools(doc: Document, source: Path) -> tuple[list[ToolDefinition], list[str]]:
    """The configuration's tools (inline, or in the file `tools` names) and what was not kept."""
    if "tools" not in doc.data:
        return [], []
    tools_doc, json_path, where = doc, ["tools"], ""
    if isinstance(doc.data["tools"], str):
        rel = doc.data["tools"]
        tools_doc = load_document(source.parent / rel)
        json_path, where = [], f"{rel}: "
    entries, notes = tool_entries(tools_doc, json_path)
    read = [(path, read_tool(tools_doc, path, item)) for path, item in entries]
    check_unique(tools_doc, read)
    tools = [tool for _, tool in read]
    return tools, [f"{where}{note}" for note in [*notes, *(p for t in tools for p in t.dropped)]]


def _examples(doc: Document) -> list[dict[str, str]]:
    """Examples as {user, assistant}, accepting {input, output}; errors point at the item."""
    out = []
    for i, item in enumerate(doc.data.get("examples", [])):
        shape = next((s for s in EXAMPLE_SHAPES if all(isinstance(item.get(k), str) for k in s)), None)
        if shape is None:
            raise doc.error(["examples", i], "expected {user, assistant} or {input, output} with text values")
        out.append({"user": item[shape[0]], "assistant": item[shape[1]]})
    return out


def _render(
    data: dict[str, Any], agent_id: str, examples: list[dict[str, str]], tool_list: list[ToolDefinition]
) -> tuple[dict[str, str], set[str]]:
    """The folder's files (relative path -> text) and which of them are prompts."""
    files: dict[str, str] = {"system.md": data["system_prompt"]}
    slots = {"system": "system.md"}
    if "user_template" in data:
        files["user.md"], slots["user_template"] = data["user_template"], "user.md"
    if "assistant_template" in data:
        files["assistant.md"], slots["assistant_template"] = data["assistant_template"], "assistant.md"
    tools = []
    for tool in tool_list:
        files[f"tools/{tool.name}.md"] = tool.description
        entry = {"name": tool.name, "description_file": f"tools/{tool.name}.md"}
        if tool.schema is not None:
            files[f"tools/{tool.name}.schema.json"] = tool.schema_file_text()
            entry["input_schema_file"] = f"tools/{tool.name}.schema.json"
        tools.append(entry)
    if examples:
        files["examples.yaml"] = dump_yaml(examples)
    prompt_files = {name for name in files if not name.endswith(".schema.json")}
    variables = template_variables(data.get("user_template", ""))
    files["agent.yaml"] = _agent_yaml(data, agent_id, slots, tools, bool(examples), variables)
    files["evals/cases.yaml"] = empty_cases(agent_id, variables)
    return files, prompt_files


def _agent_yaml(
    data: dict[str, Any],
    agent_id: str,
    slots: dict[str, str],
    tools: list[dict[str, Any]],
    has_examples: bool,
    variables: list[str],
) -> str:
    agent: dict[str, Any] = {"id": agent_id}
    if "model" in data:
        agent["model"] = data["model"]
    params = {**{k: data[k] for k in PARAM_KEYS if k in data}, **data.get("params", {})}
    if params:
        agent["params"] = params
    agent["prompts"] = slots
    if tools:
        agent["tools"] = tools
    if has_examples:
        agent["examples"] = "examples.yaml"
    if variables:
        agent["invariants"] = {"variables": variables}
    agent["evals"] = "evals/cases.yaml"
    return f"# Agent {agent_id}; keys are described in docs/repository.md\n" + dump_yaml(agent)


def empty_cases(agent_id: str, variables: list[str]) -> str:
    """An eval cases file with no cases and a commented example of one."""
    var = variables[0] if variables else "input"
    return (
        f"# Eval cases for {agent_id}. Each case fills the template variables and lists\n"
        "# assertions on the reply (contains, icontains, not-contains, regex, ...). Example:\n"
        "#\n"
        "# cases:\n"
        "#   - id: first-case\n"
        f'#     vars: {{{var}: "Hello, my order 1234 has not arrived"}}\n'
        "#     assert:\n"
        '#       - {type: icontains, value: "1234"}\n'
        "cases: []\n"
    )
