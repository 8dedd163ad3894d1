"""One execution-log line as a record, and the per-line check that decides if a line is usable.

Running jsonschema on every line of a gigabyte log would dominate the run, so `parse_record`
checks the fields by hand on a fast path; when a line fails, the schema itself (the reference)
is asked to describe the problem. Tests hold the two to the same verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from promptops.schemas import describe, schema_errors

STATUSES = ("success", "failed")
ARMS = ("stable", "candidate")
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class LogRecord:
    timestamp: datetime
    agent: str
    prompt_id: str
    version_id: str
    status: str
    latency_ms: float
    input_tokens: int
    output_tokens: int
    error_type: str | None = None
    error_message: str | None = None
    request_id: str | None = None
    arm: str | None = None  # "stable" or "candidate" during a rollout
    score: float | None = None  # an optional quality signal in [0, 1]

    @property
    def succeeded(self) -> bool:
        return self.status == "success"


class BadLine(ValueError):
    """A line that is not a valid execution-log record; the message says why."""


def parse_record(data: Any) -> LogRecord:
    """The record in a decoded JSON line, or BadLine saying what is wrong with it."""
    try:
        return _build(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadLine(_schema_description(data) or _quick_problem(data) or str(exc)) from None


def _build(data: dict[str, Any]) -> LogRecord:
    """The fast path, run on every line: raises on anything the schema would reject."""
    timestamp, agent, prompt_id, version_id, status = (
        data["timestamp"],
        data["agent"],
        data["prompt_id"],
        data["version_id"],
        data["status"],
    )
    latency, tokens_in, tokens_out = data["latency_ms"], data["input_tokens"], data["output_tokens"]
    error_type, error_message, request_id = (
        data.get("error_type"),
        data.get("error_message"),
        data.get("request_id"),
    )
    arm, score = data.get("arm"), data.get("score")
    if (
        type(agent) is not str
        or not agent
        or type(prompt_id) is not str
        or "/" not in prompt_id[1:-1]
        or type(version_id) is not str
        or not 4 <= len(version_id) <= 64
        or not _HEX.issuperset(version_id)
        or status not in STATUSES
        or type(latency) not in (int, float)
        or latency < 0
        or type(tokens_in) is not int
        or tokens_in < 0
        or type(tokens_out) is not int
        or tokens_out < 0
        or (error_type is not None and type(error_type) is not str)
        or (error_message is not None and type(error_message) is not str)
        or (request_id is not None and type(request_id) is not str)
        or (status == "failed" and not error_type)
        or (arm is not None and arm not in ARMS)
        or (score is not None and (type(score) not in (int, float) or not 0 <= score <= 1))
    ):
        raise ValueError("invalid record")
    return LogRecord(
        _timestamp(timestamp),
        agent,
        prompt_id,
        version_id,
        status,
        float(latency),
        tokens_in,
        tokens_out,
        error_type,
        error_message,
        request_id,
        arm,
        None if score is None else float(score),
    )


def _quick_problem(data: Any) -> str | None:
    """Why `_build` refused a line, when the schema cannot say (formats it does not check)."""
    if not isinstance(data, dict):
        return "expected a JSON object"
    for key in ("timestamp", "agent", "prompt_id", "version_id", "status"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            return f"'{key}' must be a non-empty string"
    try:
        _timestamp(data["timestamp"])
    except ValueError:
        return "'timestamp' must be an ISO 8601 date-time"
    return None


def _timestamp(text: str) -> datetime:
    """ISO 8601 with offset; a time without offset is taken as UTC."""
    if type(text) is not str or "T" not in text and " " not in text:
        raise ValueError(f"not a date-time: {text!r}")
    stamp = datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _schema_description(data: Any) -> str | None:
    errors = schema_errors(data, "execution_log")
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path)
    return f"{where}: {describe(first)}" if where else describe(first)
