"""Loading a deployed folder: each `<agent>/agent.yaml` on its own, every malformed shape a
PromptStoreError naming the file and the key.

In production a load failure is an outage, so one broken agent (or two folders claiming one
id) costs only that agent's prompts; `PromptStore` decides whether that is an error (`strict`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.errors import InputError
from promptops.files import load_document
from promptops.runtime.prompts import DeployedPrompt, PromptStoreError
from promptops.version_ids import version_id as _blob_id

_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class BrokenAgent:
    """An agent folder that did not load: none of its prompts is served."""

    agent: str  # the id its agent.yaml declares, or its folder name when that cannot be read
    folders: tuple[Path, ...]
    message: str  # "<file>: <key>: <problem>", what to fix


@dataclass(frozen=True)
class DeployedAgents:
    """What a deployed folder serves: prompts by id, the folder of each agent served, and the
    agents that did not load (by id)."""

    prompts: dict[str, DeployedPrompt]
    folders: dict[str, Path]
    broken: dict[str, BrokenAgent]


def load_deployed_agents(root: Path) -> DeployedAgents:
    """Every `<root>/<agent>/agent.yaml`, each on its own: a broken one costs only its prompts."""
    claims: dict[str, list[tuple[Path, list[DeployedPrompt] | PromptStoreError]]] = {}
    for agent_file in sorted(root.glob("*/agent.yaml")):
        agent, loaded = _load_agent(agent_file)
        claims.setdefault(agent, []).append((agent_file.parent, loaded))
    served = DeployedAgents({}, {}, {})
    for agent, claimed in claims.items():
        folders = tuple(folder for folder, _ in claimed)
        loaded = claimed[0][1]
        if len(claimed) > 1:
            *others, last = (str(folder) for folder in folders)
            names = f"{'both ' if len(others) == 1 else ''}{', '.join(others)} and {last}"
            message = f"agent id {agent!r} is declared by {names}; agent ids must be unique"
            served.broken[agent] = BrokenAgent(agent, folders, message)
        elif isinstance(loaded, PromptStoreError):
            served.broken[agent] = BrokenAgent(agent, folders, str(loaded))
        else:
            served.prompts.update((prompt.id, prompt) for prompt in loaded)
            served.folders[agent] = folders[0]
    return served


def _load_agent(agent_file: Path) -> tuple[str, list[DeployedPrompt] | PromptStoreError]:
    """(agent id, its prompts or the error that stops it); the id falls back to the folder name."""
    agent = agent_file.parent.name
    try:
        spec = _read_spec(agent_file)
        agent = _agent_id(agent_file, spec)
        return agent, [load_prompt(agent_file, agent, *entry) for entry in _prompt_files(agent_file, spec)]
    except PromptStoreError as exc:
        return agent, exc


def _read_spec(agent_file: Path) -> dict[Any, Any]:
    """agent.yaml read by the loader `promptops lint` checks it with (duplicate keys refused)."""
    try:
        spec = load_document(agent_file).data
    except InputError as exc:  # "<file>:<line>:<col>: error: <what>"
        raise PromptStoreError(_clip(" ".join(str(exc).split()), 300)) from None
    except OSError as exc:
        raise PromptStoreError(f"{agent_file}: cannot read agent.yaml: {exc.strerror or exc}") from None
    if not isinstance(spec, dict):
        raise shape_error(agent_file, "(top level)", "a mapping with a prompts: key", spec)
    return spec


def _agent_id(agent_file: Path, spec: dict[Any, Any]) -> str:
    agent = spec.get("id", agent_file.parent.name)
    if not isinstance(agent, str) or not _AGENT_ID.match(agent):
        raise shape_error(agent_file, "id", "an agent id like support-agent", agent)
    return agent


def _prompt_files(agent_file: Path, spec: dict[Any, Any]) -> list[tuple[str, str, Any]]:
    """(prompt name, key in agent.yaml, relative file) for every prompt the agent declares."""
    slots = _mapping(agent_file, spec, "prompts")
    if not slots:
        raise shape_error(
            agent_file, "prompts", "a mapping of prompt name (system, user_template) to file", slots or None
        )
    files: list[tuple[str, str, Any]] = []
    for name, rel in slots.items():
        files.append((_name(agent_file, f"prompts.{name}", name, files), f"prompts.{name}", rel))
    for name, rel in _mapping(agent_file, spec, "extra_prompts").items():
        key = f"extra_prompts.{name}"
        files.append((_name(agent_file, key, name, files), key, rel))
    tools = spec.get("tools")
    tools = [] if tools is None else tools
    if not isinstance(tools, list):
        raise shape_error(agent_file, "tools", "a list of {name, description_file}", tools)
    for index, tool in enumerate(tools):
        key = f"tools[{index}]"
        if not isinstance(tool, dict) or "description_file" not in tool:
            raise shape_error(agent_file, key, "a mapping with name and description_file", tool)
        name = "tool:" + _name(agent_file, f"{key}.name", tool.get("name"), files)
        files.append((name, f"{key}.description_file", tool["description_file"]))
    if spec.get("examples") is not None:
        files.append(("few_shot", "examples", spec["examples"]))
    return files


def _mapping(agent_file: Path, spec: dict[Any, Any], key: str) -> dict[Any, Any]:
    value = spec.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise shape_error(agent_file, key, "a mapping of prompt name to file", value)
    return value


def _name(agent_file: Path, key: str, name: Any, files: list[tuple[str, str, Any]]) -> str:
    """A prompt or tool name that makes a clean id (letters, digits, `_`, `-`), not taken yet."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise shape_error(agent_file, key, "a name of letters, digits, _ and -", name)
    if any(name in (taken, taken.removeprefix("tool:")) for taken, _, _ in files):
        raise PromptStoreError(f"{agent_file}: {key}: {name!r} is already a prompt of this agent")
    return name


def load_prompt(spec_file: Path, agent: str, name: str, key: str, rel: Any) -> DeployedPrompt:
    """Prompt `name` of `agent` from file `rel`, which `key` of `spec_file` names (agent.yaml, or
    rollout.yaml for a candidate); it must be a UTF-8 file inside that agent folder."""
    folder = spec_file.parent
    if not isinstance(rel, str) or not rel.strip():
        raise shape_error(spec_file, key, f"a file inside {folder}", rel)
    path = (folder / rel).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise PromptStoreError(f"{spec_file}: {key}: {rel!r} must be a file inside {folder}")
    try:
        data = path.read_bytes()
        text = data.decode("utf-8").removeprefix("\ufeff")  # a BOM is never sent; the id keeps it
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise PromptStoreError(f"{spec_file}: {key}: cannot read {rel}: {reason}") from None
    return DeployedPrompt(f"{agent}/{name}", agent, name, text, _blob_id(data), path)


def shape_error(spec_file: Path, key: str, expected: str, got: Any) -> PromptStoreError:
    """`<file>: <key>: expected <what>, got <type> <value>`: one line naming the place."""
    shown = "null" if got is None else f"{type(got).__name__} {_clip(repr(got), 60)}"
    return PromptStoreError(f"{spec_file}: {key}: expected {expected}, got {shown}")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
