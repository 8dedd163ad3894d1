"""The optimization session record: `.promptops/sessions/<id>.json`.

Written after every step (atomically: a temporary file, then a rename), so a crash or a
Ctrl-C leaves a readable record of what was generated, evaluated and spent so far, and
a finished one says what was decided and why. Shape: `schemas/session.schema.json`.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from promptops.optimize.invariants import GuardResult
from promptops.version_ids import version_id

SESSIONS_DIR = ".promptops/sessions"
SCHEMA_VERSION = 1
STATUSES = ("running", "completed", "failed", "budget-exhausted")


@dataclass
class CandidateRecord:
    """One candidate prompt text: where it came from, what it claims, how it scored."""

    id: str
    origin: str  # "llm" | "edit" | "reflection"
    round: int
    text: str
    hypothesis: str = ""
    change_summary: str = ""
    expected_effect: str = ""
    variation_hint: str | None = None
    edits: list[str] = field(default_factory=list)
    invariants: dict[str, Any] = field(default_factory=dict)
    dev_scores: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return bool(self.invariants.get("ok"))

    def guarded(self, result: GuardResult) -> None:
        self.invariants = result.as_dict()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["version_id"] = version_id(self.text)
        data["tokens"] = int(self.invariants.get("tokens", 0))
        return data


def new_session_id(prompt_id: str) -> str:
    """Sortable by time and unique: `20261125T142400Z-support-agent-system-1a2b3c`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in prompt_id)
    return f"{stamp}-{slug}-{secrets.token_hex(3)}"


@dataclass
class Session:
    """An optimization run as it progresses; `save()` after each step."""

    path: Path
    id: str
    prompt: dict[str, Any]
    goal: str
    settings: dict[str, Any]
    status: str = "running"
    error: str | None = None
    analysis: dict[str, Any] | None = None
    candidates: list[CandidateRecord] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    search: dict[str, Any] = field(
        default_factory=lambda: {"dev_cases": 0, "holdout_cases": 0, "calls": 0, "rungs": [], "notes": []}
    )
    holdout: dict[str, Any] | None = None
    recommendation: dict[str, Any] | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished_at: str | None = None
    phases: dict[str, float] = field(default_factory=dict)
    _clock: float = field(default_factory=time.perf_counter, repr=False)

    @classmethod
    def start(cls, root: Path, prompt: dict[str, Any], goal: str, settings: dict[str, Any]) -> Session:
        session_id = new_session_id(prompt["id"])
        session = cls(root / SESSIONS_DIR / f"{session_id}.json", session_id, prompt, goal, settings)
        session.save()
        return session

    def candidate(self, candidate_id: str) -> CandidateRecord:
        return next(c for c in self.candidates if c.id == candidate_id)

    def timed(self, phase: str, seconds: float) -> None:
        self.phases[phase] = round(self.phases.get(phase, 0.0) + seconds, 3)

    def finish(self, status: str, error: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown session status {status!r}")
        self.status, self.error = status, error
        self.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.save()

    def to_dict(self) -> dict[str, Any]:
        finished = self.finished_at is not None
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "prompt": self.prompt,
            "goal": self.goal,
            "settings": self.settings,
            "status": self.status,
            "error": self.error,
            "analysis": self.analysis,
            "candidates": [c.to_dict() for c in self.candidates],
            "dropped": self.dropped,
            "search": self.search,
            "holdout": self.holdout,
            "recommendation": self.recommendation,
            "usage": self.usage,
            "timings": {
                "started_at": self.started_at,
                "finished_at": self.finished_at,
                "seconds": round(time.perf_counter() - self._clock, 3) if finished else None,
                "phases": self.phases,
            },
        }

    def save(self) -> None:
        """Replace the file atomically, so a reader never sees half a record."""
        write_json_atomic(self.path, self.to_dict())


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
