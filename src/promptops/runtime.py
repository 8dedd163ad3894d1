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

During a canary rollout (`rollout.yaml` beside `agent.yaml`), `store.get(id, key=user_id)`
returns the stable or the candidate text by a stable hash of the key (`promptops.traffic`);
the returned prompt's `.arm` says which, and the log line records it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from promptops.errors import InputError
from promptops.files import load_document
from promptops.traffic import CANDIDATE, STABLE, choose_arm, rollout_id
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
    arm: str = STABLE  # CANDIDATE while a rollout serves the candidate text

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


@dataclass(frozen=True)
class RolloutSplit:
    """A running rollout as the runtime sees it: the candidate text and its share of traffic."""

    prompt_id: str
    weight: float
    rollout: str  # the id the split is hashed under (prompt id and candidate version)
    candidate: DeployedPrompt


@dataclass(frozen=True)
class _Snapshot:
    prompts: dict[str, DeployedPrompt]
    rollouts: dict[str, RolloutSplit]
    rollout_errors: dict[str, str]
    stamp: tuple[tuple[str, int, int], ...]


class PromptStore:
    """The deployed prompts under `path`: one `<agent>/agent.yaml` folder per agent.

    `reload()` reads the folder again (a new rollout weight, a new deploy); with
    `reload_interval` seconds, `get()` does so by itself when a file's mtime or size changed.
    A reload replaces everything at once, so a thread never sees half of two deploys.
    """

    def __init__(self, path: str | os.PathLike[str], *, reload_interval: float | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise PromptStoreError(f"{self.path}: not a folder of deployed prompts")
        self.reload_interval = reload_interval
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._snapshot = self._read()

    def _read(self) -> _Snapshot:
        prompts: dict[str, DeployedPrompt] = {}
        rollouts: dict[str, RolloutSplit] = {}
        errors: dict[str, str] = {}
        for agent_file in sorted(self.path.glob("*/agent.yaml")):
            loaded = _load_agent(agent_file)
            for prompt in loaded:
                prompts[prompt.id] = prompt
            rollout_file = agent_file.with_name("rollout.yaml")
            if rollout_file.is_file():
                try:
                    split = _load_rollout(rollout_file, {p.name: p for p in loaded})
                    rollouts[split.prompt_id] = split
                except PromptStoreError as exc:  # serve stable: a bad rollout must not take the agent down
                    errors[str(rollout_file)] = str(exc)
        return _Snapshot(prompts, rollouts, errors, _stamp(self.path))

    def reload(self) -> None:
        """Read the deployed folder again and switch to it in one step."""
        snapshot = self._read()
        with self._lock:
            self._snapshot = snapshot
            self._checked = time.monotonic()

    def _maybe_reload(self) -> None:
        if self.reload_interval is None or time.monotonic() - self._checked < self.reload_interval:
            return
        self._checked = time.monotonic()
        if _stamp(self.path) != self._snapshot.stamp:
            self.reload()

    def ids(self) -> list[str]:
        return sorted(self._snapshot.prompts)

    @property
    def rollouts(self) -> dict[str, RolloutSplit]:
        """Running rollouts by prompt id."""
        return dict(self._snapshot.rollouts)

    @property
    def rollout_errors(self) -> dict[str, str]:
        """Rollout files that could not be used (their prompts serve the stable text), with why."""
        return dict(self._snapshot.rollout_errors)

    def get(self, prompt_id: str, key: str | None = None) -> DeployedPrompt:
        """The prompt to use for this call.

        During a rollout of `prompt_id`, `key` (a user or account id) picks the arm by a
        stable hash, so a user stays on one arm across calls and processes. Without a key each
        call is drawn at random with the rollout's weight: no user keeps an arm.
        """
        self._maybe_reload()
        snapshot = self._snapshot
        try:
            prompt = snapshot.prompts[prompt_id]
        except KeyError:
            known = ", ".join(sorted(snapshot.prompts)) or "none"
            raise PromptNotFound(f"no deployed prompt {prompt_id!r} in {self.path} (have: {known})") from None
        split = snapshot.rollouts.get(prompt_id)
        if split is not None and choose_arm(split.rollout, split.weight, key) != STABLE:
            prompt = split.candidate
        _annotate_current_span(prompt)
        return prompt


_OTEL_UNSET = object()
_otel_trace: Any = _OTEL_UNSET


def _annotate_current_span(prompt: DeployedPrompt) -> None:
    """Tag the current OpenTelemetry span with the prompt's id, version id and arm, when the
    application traces with OpenTelemetry (opentelemetry-api installed); else do nothing."""
    global _otel_trace
    if _otel_trace is _OTEL_UNSET:
        try:
            from opentelemetry import trace as otel_trace
        except ImportError:
            otel_trace = None
        _otel_trace = otel_trace
    if _otel_trace is None:
        return
    span = _otel_trace.get_current_span()
    if span.is_recording():
        span.set_attributes(
            {
                "promptops.prompt.id": prompt.id,
                "promptops.prompt.version_id": prompt.version_id,
                "promptops.prompt.arm": prompt.arm,
                "gen_ai.agent.name": prompt.agent,
            }
        )


def _stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when a deploy or a rollout step rewrites the folder: names, mtimes, sizes."""
    found = []
    for file in sorted(path.glob("*/*")):
        try:
            info = file.stat()
        except OSError:
            continue
        found.append((str(file), info.st_mtime_ns, info.st_size))
    return tuple(found)


def _load_rollout(rollout_file: Path, prompts: dict[str, DeployedPrompt]) -> RolloutSplit:
    """The split `rollout.yaml` asks for; `prompts` are the agent's, by name."""
    try:
        spec = yaml.safe_load(rollout_file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PromptStoreError(f"{rollout_file}: cannot read rollout.yaml: {exc}") from None
    if not isinstance(spec, dict):
        raise PromptStoreError(f"{rollout_file}: expected a mapping")
    stable = prompts.get(str(spec.get("prompt")))
    if stable is None:
        raise PromptStoreError(f"{rollout_file}: prompt: {spec.get('prompt')!r} is not a prompt of the agent")
    weight = spec.get("weight")
    if type(weight) not in (int, float) or not 0 <= weight <= 100:
        raise PromptStoreError(f"{rollout_file}: weight: expected a number from 0 to 100, got {weight!r}")
    agent_file = rollout_file.with_name("agent.yaml")
    loaded = _load_prompt(agent_file, stable.agent, stable.name, spec.get("candidate"))
    candidate = dataclasses.replace(loaded, arm=CANDIDATE)
    return RolloutSplit(stable.id, float(weight), rollout_id(stable.id, candidate.version_id), candidate)


def _load_agent(agent_file: Path) -> list[DeployedPrompt]:
    folder = agent_file.parent
    try:
        spec = load_document(agent_file).data or {}  # the loader `promptops` checked it with
    except (OSError, InputError) as exc:
        raise PromptStoreError(f"cannot read agent.yaml: {exc}") from None
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
        text = data.decode("utf-8").removeprefix("\ufeff")  # a BOM is never sent; the id keeps it
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
        score: float | None = None,
    ) -> None:
        """Append one line; `score` is an optional quality signal in [0, 1] (user feedback,
        an online judge) that rollouts can analyse."""
        if status not in STATUSES:
            raise ValueError(f"status must be 'success' or 'failed', got {status!r}")
        if status == "failed" and not error_type:
            raise ValueError("a failed call needs error_type (e.g. 'Timeout')")
        if score is not None and (type(score) not in (int, float) or not 0 <= score <= 1):
            raise ValueError(f"score must be a number from 0 to 1, got {score!r}")
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
            "arm": getattr(prompt, "arm", STABLE),
        }
        if score is not None:
            line["score"] = float(score)
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
