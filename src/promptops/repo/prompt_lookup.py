"""One prompt found from its agent.yaml alone: what `promptops history` needs.

Loading an agent checks agent.yaml against its schema and reads every prompt file and the
few-shot examples; history needs one path. So here agent.yaml is parsed (strictly: bad
YAML and duplicate keys still stop with file, line and column) and the one file is read.
Anything unexpected (an unknown name, a path that is not plain and relative, a missing or
empty file, a name given twice) falls back to loading the whole agent, whose error names
the file, the place and what exists.
"""

from __future__ import annotations

import posixpath
from typing import Any

from promptops.config import Config
from promptops.files import BOM, decode_text, parse_document
from promptops.repo.agents import SLOTS, AgentLoader, Prompt, PromptType, resolve_prompt_id, split_prompt_id
from promptops.repo.sources import AGENT_FILE, FileSource, is_safe_relative, open_source


def find_prompt(config: Config, prompt_id: str) -> Prompt:
    """The prompt `AGENT/NAME` in the working tree (as `resolve_prompt_id`, checking less)."""
    agent_id, name = split_prompt_id(prompt_id)
    with open_source(config, None) as source:
        found = _quick(source, AgentLoader(source, None).folder_rel(agent_id), agent_id, name)
    return found if found is not None else resolve_prompt_id(config, prompt_id)


def _quick(source: FileSource, folder: str, agent_id: str, name: str) -> Prompt | None:
    agent_file = posixpath.join(folder, AGENT_FILE)
    raw = source.read_bytes(agent_file)
    if raw is None:
        return None
    data = parse_document(decode_text(raw, source.display(agent_file)), source.display(agent_file)).data
    if not isinstance(data, dict) or data.get("id", agent_id) != agent_id:
        return None
    located = _named_file(data, name)
    if located is None or not isinstance(located[0], str) or not is_safe_relative(located[0]):
        return None
    rel = posixpath.normpath(posixpath.join(folder, located[0]))
    content = source.read_bytes(rel)
    if content is None:
        return None
    text = decode_text(content, source.display(rel))
    if not text.strip():
        return None
    bom = content.startswith(BOM.encode("utf-8"))
    return Prompt(f"{agent_id}/{name}", agent_id, name, located[1], rel, text, bom)


def _named_file(data: dict[str, Any], name: str) -> tuple[Any, PromptType] | None:
    """(the file agent.yaml gives for prompt `name`, its type); None unless exactly one place names it."""
    prompts = data.get("prompts")
    tools = data.get("tools") or []
    extra = data.get("extra_prompts") or {}
    if not isinstance(prompts, dict) or not isinstance(tools, list) or not isinstance(extra, dict):
        return None
    places: list[tuple[Any, PromptType]] = []
    if name in SLOTS and name in prompts:
        places.append((prompts[name], name))
    for tool in tools:
        if isinstance(tool, dict) and f"tool:{tool.get('name')}" == name:
            places.append((tool.get("description_file"), "tool_description"))
    if name == "few_shot" and "examples" in data:
        places.append((data["examples"], "few_shot"))
    if name in extra:
        places.append((extra[name], "system"))
    return places[0] if len(places) == 1 else None
