"""`PromptStore`: the prompts of a deployed folder, served by id, with canary splits and reloads."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.runtime.loading import BrokenAgent, load_deployed_agents
from promptops.runtime.prompts import DeployedPrompt, PromptNotFound, PromptStoreError
from promptops.runtime.rollouts import RolloutSplit, load_rollouts
from promptops.traffic import STABLE, choose_arm

_log = logging.getLogger("promptops.runtime")


@dataclass(frozen=True)
class _Snapshot:
    prompts: dict[str, DeployedPrompt]
    broken: dict[str, BrokenAgent]
    rollouts: dict[str, RolloutSplit]
    rollout_errors: dict[str, str]
    stamp: tuple[tuple[str, int, int], ...]


class PromptStore:
    """The deployed prompts under `path`: one `<agent>/agent.yaml` folder per agent.

    Agents load independently, because in production a failure here is an outage: a broken
    folder (or two folders claiming one id) costs only that agent, is listed in `errors` and
    logged as a warning, and `get()` of its prompts raises PromptStoreError saying why.
    `strict=True` raises at construction instead, for start-up and deploy checks.

    `reload()` reads the folder again (a new rollout weight, a new deploy); with
    `reload_interval` seconds, `get()` does so by itself when a file's mtime or size changed.
    A reload replaces everything at once, so a thread never sees half of two deploys.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, strict: bool = False, reload_interval: float | None = None
    ) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise PromptStoreError(f"{self.path}: not a folder of deployed prompts")
        self.reload_interval = reload_interval
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._snapshot = self._read()
        if strict and self._snapshot.broken:
            raise PromptStoreError("; ".join(broken.message for broken in self.errors))

    def _read(self) -> _Snapshot:
        agents = load_deployed_agents(self.path)
        rollouts, rollout_errors = load_rollouts(agents)
        for agent, broken in sorted(agents.broken.items()):
            _log.warning("promptops: agent %s is not served: %s", agent, broken.message)
        return _Snapshot(agents.prompts, agents.broken, rollouts, rollout_errors, _stamp(self.path))

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

    @property
    def errors(self) -> list[BrokenAgent]:
        """The agents that failed to load, by agent id; empty when every agent loaded."""
        broken = self._snapshot.broken
        return [broken[agent] for agent in sorted(broken)]

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
            _refuse_broken_agent(snapshot, prompt_id)
            known = ", ".join(sorted(snapshot.prompts)) or "none"
            raise PromptNotFound(f"no deployed prompt {prompt_id!r} in {self.path} (have: {known})") from None
        split = snapshot.rollouts.get(prompt_id)
        if split is not None and choose_arm(split.rollout, split.weight, key) != STABLE:
            prompt = split.candidate
        _annotate_current_span(prompt)
        return prompt


def _refuse_broken_agent(snapshot: _Snapshot, prompt_id: str) -> None:
    broken = snapshot.broken.get(prompt_id.split("/", 1)[0])
    if broken is not None:
        message = f"{prompt_id}: agent {broken.agent} is not served: {broken.message}"
        raise PromptStoreError(message) from None


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
