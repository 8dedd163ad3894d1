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
STATUSES = ("success", "failed")


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
    """The deployed prompts under `path`: one `<agent>/agent.yaml` folder per agent."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise PromptStoreError(f"{self.path}: not a folder of deployed prompts")
        self._prompts: dict[str, DeployedPrompt] = {}
        for agent_file in sorted(self.path.glob("*/agent.yaml")):
            for prompt in _load_agent(agent_file):
                self._prompts[prompt.id] = prompt

    def ids(self) -> list[str]:
        return sorted(self._prompts)

    def get(self, prompt_id: str) -> DeployedPrompt:
        try:
            return self._prompts[prompt_id]
        except KeyError:
            known = ", ".join(self.ids()) or "none"
            raise PromptNotFound(f"no deployed prompt {prompt_id!r} in {self.path} (have: {known})") from None


def _load_agent(agent_file: Path) -> list[DeployedPrompt]:
    folder = agent_file.parent
    try:
        spec = yaml.safe_load(agent_file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PromptStoreError(f"{agent_file}: cannot read agent.yaml: {exc}") from None
    if not isinstance(spec, dict):
        raise PromptStoreError(f"{agent_file}: expected a mapping")
    agent = str(spec.get("id") or folder.name)
    files: list[tuple[str, Any]] = list((spec.get("prompts") or {}).items())
    for tool in spec.get("tools") or []:
        if isinstance(tool, dict) and tool.get("description_file"):
            files.append((f"tool:{tool.get('name')}", tool["description_file"]))
    if spec.get("examples"):
        files.append(("few_shot", spec["examples"]))
    return [_load_prompt(agent_file, agent, name, rel) for name, rel in files]


def _load_prompt(agent_file: Path, agent: str, name: str, rel: Any) -> DeployedPrompt:
    folder = agent_file.parent
    path = (folder / str(rel)).resolve()
    if not isinstance(rel, str) or not path.is_relative_to(folder.resolve()):
        raise PromptStoreError(f"{agent_file}: prompt {name}: {rel!r} must be a file inside {folder}")
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptStoreError(f"{agent_file}: prompt {name}: cannot read {rel}: {exc}") from None
    return DeployedPrompt(f"{agent}/{name}", agent, name, text, _blob_id(data), path)


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
            "latency_ms": float(latency_ms),
            "input_tokens": int(input_tokens),
            "output_tokens": int(output_tokens),
            "error_type": error_type,
            "error_message": error_message,
            "request_id": request_id,
        }
        self._append((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))

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


def _iso(stamp: datetime) -> str:
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
