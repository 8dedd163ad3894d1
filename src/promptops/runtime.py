"""What an agent imports in production: deployed prompts with their version ids, and a log.

Standard library + pyyaml only, and no git: a deployed checkout or an installed package is
just files. Each prompt knows its version id (the git blob id of its text), so every log line
names the exact prompt text that produced it, and `promptops ab` / `promptops failures` can
map production behaviour back to commits.

    store = PromptStore("prompts")
    system = store.get("support-agent/system")
    user = store.get("support-agent/user_template").render(customer_message=msg)
    log = ExecutionLog("/var/log/agent/executions.jsonl")
    log.record(system, status="success", latency_ms=840, input_tokens=1200, output_tokens=150)
"""

from __future__ import annotations

import json
import logging
import math
import numbers
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from promptops.version_ids import version_id as _blob_id

try:  # POSIX; on other systems O_APPEND single writes alone keep lines whole
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_log = logging.getLogger("promptops.runtime")
STATUSES = ("success", "failed")
SLOTS = ("system", "user_template", "assistant_template")


class LoggablePrompt(Protocol):
    """What a log line needs from a prompt: a DeployedPrompt, or the repo model's Prompt."""

    @property
    def id(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def version_id(self) -> str: ...


class PromptNotFound(LookupError):
    """No deployed prompt has that id; the message lists the ids there are."""


class MissingVariable(KeyError):
    """`render()` was not given a `{{variable}}` the template uses."""

    def __str__(self) -> str:
        return str(self.args[0])


class PromptStoreError(ValueError):
    """A deployed agent folder is malformed (unreadable agent.yaml, missing prompt file)."""


@dataclass(frozen=True)
class DeployedPrompt:
    """One prompt as deployed: its id, text and version id (git blob id of the file's bytes)."""

    id: str
    agent: str
    name: str
    text: str
    version_id: str
    path: Path

    @property
    def variables(self) -> tuple[str, ...]:
        """The `{{variables}}` the text uses, in order of first use."""
        return tuple(dict.fromkeys(_VARIABLE.findall(self.text)))

    def render(self, **values: Any) -> str:
        """The text with every `{{var}}` replaced; a variable not given raises MissingVariable."""
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise MissingVariable(
                f"{self.id}: render() needs variable(s) {', '.join(missing)} "
                f"(given: {', '.join(sorted(values)) or 'none'})"
            )
        return _VARIABLE.sub(lambda m: str(values[m.group(1)]), self.text)


class PromptStore:
    """The deployed prompts under `path`: one `<agent>/agent.yaml` folder per agent.

    Agents load independently, because in production a failure here is an outage: a broken
    folder (or two folders claiming one id) costs only that agent, is listed in `errors`
    and logged as a warning, and `get()` of its prompts raises PromptStoreError saying why.
    `strict=True` raises at construction instead, for start-up and deploy checks.
    """

    def __init__(self, path: str | os.PathLike[str], *, strict: bool = False) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise PromptStoreError(f"{self.path}: not a folder of deployed prompts")
        self._prompts, self._broken = load_deployed_agents(self.path)
        if strict and self._broken:
            raise PromptStoreError("; ".join(broken.message for broken in self.errors))
        for broken in self.errors:
            _log.warning("promptops: agent %s is not served: %s", broken.agent, broken.message)

    @property
    def errors(self) -> list[BrokenAgent]:
        """The agents that failed to load, by agent id; empty when every agent loaded."""
        return [self._broken[agent] for agent in sorted(self._broken)]

    def ids(self) -> list[str]:
        return sorted(self._prompts)

    def get(self, prompt_id: str) -> DeployedPrompt:
        try:
            return self._prompts[prompt_id]
        except KeyError:
            self._refuse_broken_agent(prompt_id)
            known = ", ".join(self.ids()) or "none"
            raise PromptNotFound(f"no deployed prompt {prompt_id!r} in {self.path} (have: {known})") from None

    def _refuse_broken_agent(self, prompt_id: str) -> None:
        broken = self._broken.get(prompt_id.split("/", 1)[0])
        if broken is not None:
            message = f"{prompt_id}: agent {broken.agent} is not served: {broken.message}"
            raise PromptStoreError(message) from None


@dataclass(frozen=True)
class BrokenAgent:
    """An agent folder that did not load: none of its prompts is served."""

    agent: str  # the id its agent.yaml declares, or its folder name when that cannot be read
    folders: tuple[Path, ...]
    message: str  # "<file>: <key>: <problem>", what to fix


def load_deployed_agents(root: Path) -> tuple[dict[str, DeployedPrompt], dict[str, BrokenAgent]]:
    """Every `<root>/<agent>/agent.yaml`, each on its own: (served prompts by id, broken agents by id)."""
    claims: dict[str, list[tuple[Path, list[DeployedPrompt] | PromptStoreError]]] = {}
    for agent_file in sorted(root.glob("*/agent.yaml")):
        agent, loaded = _load_agent(agent_file)
        claims.setdefault(agent, []).append((agent_file.parent, loaded))
    prompts: dict[str, DeployedPrompt] = {}
    broken: dict[str, BrokenAgent] = {}
    for agent, claimed in claims.items():
        folders = tuple(folder for folder, _ in claimed)
        loaded = claimed[0][1]
        if len(claimed) > 1:
            *others, last = (str(folder) for folder in folders)
            names = f"{'both ' if len(others) == 1 else ''}{', '.join(others)} and {last}"
            message = f"agent id {agent!r} is declared by {names}; agent ids must be unique"
            broken[agent] = BrokenAgent(agent, folders, message)
        elif isinstance(loaded, PromptStoreError):
            broken[agent] = BrokenAgent(agent, folders, str(loaded))
        else:
            prompts.update((prompt.id, prompt) for prompt in loaded)
    return prompts, broken


def _load_agent(agent_file: Path) -> tuple[str, list[DeployedPrompt] | PromptStoreError]:
    """(agent id, its prompts or the error that stops it); the id falls back to the folder name."""
    agent = agent_file.parent.name
    try:
        spec = _read_spec(agent_file)
        agent = _agent_id(agent_file, spec)
        return agent, [_load_prompt(agent_file, agent, *entry) for entry in _prompt_files(agent_file, spec)]
    except PromptStoreError as exc:
        return agent, exc


def _read_spec(agent_file: Path) -> dict[Any, Any]:
    try:
        spec = yaml.safe_load(agent_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problem = _clip(" ".join(str(exc).split()), 300)
        raise PromptStoreError(f"{agent_file}: cannot read agent.yaml: {problem}") from None
    if not isinstance(spec, dict):
        raise _shape_error(agent_file, "(top level)", "a mapping with a prompts: key", spec)
    return spec


def _agent_id(agent_file: Path, spec: dict[Any, Any]) -> str:
    agent = spec.get("id", agent_file.parent.name)
    if not isinstance(agent, str) or not _AGENT_ID.match(agent):
        raise _shape_error(agent_file, "id", "an agent id like support-agent", agent)
    return agent


def _prompt_files(agent_file: Path, spec: dict[Any, Any]) -> list[tuple[str, str, Any]]:
    """(prompt name, key in agent.yaml, relative file) for every prompt the agent declares."""
    slots = _mapping(agent_file, spec, "prompts")
    if not slots:
        raise _shape_error(agent_file, "prompts", f"a mapping of {' / '.join(SLOTS)} to files", slots or None)
    files: list[tuple[str, str, Any]] = []
    for name, rel in slots.items():
        files.append((_name(agent_file, f"prompts.{name}", name, files, SLOTS), f"prompts.{name}", rel))
    for name, rel in _mapping(agent_file, spec, "extra_prompts").items():
        key = f"extra_prompts.{name}"
        files.append((_name(agent_file, key, name, files), key, rel))
    tools = spec.get("tools")
    tools = [] if tools is None else tools
    if not isinstance(tools, list):
        raise _shape_error(agent_file, "tools", "a list of {name, description_file}", tools)
    for index, tool in enumerate(tools):
        key = f"tools[{index}]"
        if not isinstance(tool, dict) or "description_file" not in tool:
            raise _shape_error(agent_file, key, "a mapping with name and description_file", tool)
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
        raise _shape_error(agent_file, key, "a mapping of prompt name to file", value)
    return value


def _name(
    agent_file: Path, key: str, name: Any, files: list[tuple[str, str, Any]], allowed: tuple[str, ...] = ()
) -> str:
    """A prompt or tool name that makes a clean, unique id: one of `allowed` if given."""
    if allowed and name not in allowed:
        raise _shape_error(agent_file, key, f"one of {', '.join(allowed)}", name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise _shape_error(agent_file, key, "a name of letters, digits, _ and -", name)
    if any(name in (taken, taken.removeprefix("tool:")) for taken, _, _ in files):
        raise PromptStoreError(f"{agent_file}: {key}: {name!r} is already a prompt of this agent")
    return name


def _load_prompt(agent_file: Path, agent: str, name: str, key: str, rel: Any) -> DeployedPrompt:
    folder = agent_file.parent
    if not isinstance(rel, str) or not rel.strip():
        raise _shape_error(agent_file, key, f"a file inside {folder}", rel)
    path = (folder / rel).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise PromptStoreError(f"{agent_file}: {key}: {rel!r} must be a file inside {folder}")
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise PromptStoreError(f"{agent_file}: {key}: cannot read {rel}: {reason}") from None
    return DeployedPrompt(f"{agent}/{name}", agent, name, text, _blob_id(data), path)


def _shape_error(agent_file: Path, key: str, expected: str, got: Any) -> PromptStoreError:
    shown = "null" if got is None else f"{type(got).__name__} {_clip(repr(got), 60)}"
    return PromptStoreError(f"{agent_file}: {key}: expected {expected}, got {shown}")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ExecutionLog:
    """Appends one JSON line per call, in the format `promptops ab` and `failures` read.

    Each line is a single `write()` on a file opened with O_APPEND, under an exclusive `flock`,
    so lines from several threads and processes never interleave or tear.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(
        self,
        prompt: LoggablePrompt,
        *,
        status: str,
        latency_ms: float,
        input_tokens: int,
        output_tokens: int,
        error_type: str | None = None,
        error_message: str | None = None,
        request_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be 'success' or 'failed', got {status!r}")
        if status == "failed" and not error_type:
            raise ValueError("a failed call needs error_type (e.g. 'Timeout')")
        line = {
            "timestamp": _iso(timestamp or datetime.now(UTC)),
            "agent": prompt.agent,
            "prompt_id": prompt.id,
            "version_id": prompt.version_id,
            "status": status,
            "latency_ms": _measure("latency_ms", latency_ms),
            "input_tokens": _measure("input_tokens", input_tokens, whole=True),
            "output_tokens": _measure("output_tokens", output_tokens, whole=True),
            "error_type": error_type,
            "error_message": error_message,
            "request_id": request_id,
        }
        self._append((json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8"))

    def _append(self, data: bytes) -> None:
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                while data:  # a regular file takes it all in one write; loop only for safety
                    data = data[os.write(fd, data) :]
            finally:
                os.close(fd)  # closing releases the flock


def _measure(field: str, value: Any, *, whole: bool = False) -> float | int:
    """A duration or count as logged: a finite number >= 0 (whole for token counts).

    NaN and infinities are not JSON, so a reader would drop the line; a negative latency or
    token count would skew every average. Refusing them here loses nothing silently.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{field} must be a number >= 0, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{field} must be a finite number >= 0, got {value!r}")
    if whole and not number.is_integer():
        raise ValueError(f"{field} must be a whole number of tokens, got {value!r}")
    return int(value) if whole else number


def _iso(stamp: datetime) -> str:
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
