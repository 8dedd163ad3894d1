"""One execution-log line as a record, and the per-line check that decides if a line is usable.

Running jsonschema on every line of a gigabyte log would dominate the run, so `parse_record`
checks the required fields by hand; when a line fails, the schema itself (the reference) is
asked to describe the problem. Tests hold the two to the same verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from promptops.schemas import describe, schema_errors

STATUSES = ("success", "failed")
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

    @property
    def succeeded(self) -> bool:
        return self.status == "success"


class BadLine(ValueError):
    """A line that is not a valid execution-log record; the message says why."""


def parse_record(data: Any) -> LogRecord:
    """The record in a decoded JSON line, or BadLine saying what is wrong with it."""
    problem = _quick_problem(data)
    if problem is not None:
        raise BadLine(_schema_description(data) or problem)
    return LogRecord(
        timestamp=_timestamp(data["timestamp"]),
        agent=data["agent"],
        prompt_id=data["prompt_id"],
        version_id=data["version_id"],
        status=data["status"],
        latency_ms=float(data["latency_ms"]),
        input_tokens=data["input_tokens"],
        output_tokens=data["output_tokens"],
        error_type=data.get("error_type"),
        error_message=data.get("error_message"),
        request_id=data.get("request_id"),
    )


def _quick_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "expected a JSON object"
    for key in ("timestamp", "agent", "prompt_id", "version_id", "status"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            return f"'{key}' must be a non-empty string"
    if "/" not in data["prompt_id"][1:-1]:
        return "'prompt_id' must look like AGENT/NAME"
    vid = data["version_id"]
    if not 4 <= len(vid) <= 64 or not _HEX.issuperset(vid):
        return "'version_id' must be a hex git blob id"
    if data["status"] not in STATUSES:
        return "'status' must be 'success' or 'failed'"
    latency = data.get("latency_ms")
    if isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0:
        return "'latency_ms' must be a non-negative number"
    for key in ("input_tokens", "output_tokens"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"'{key}' must be a non-negative integer"
    return _optional_problem(data)


def _optional_problem(data: dict[str, Any]) -> str | None:
    for key in ("error_type", "error_message", "request_id"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return f"'{key}' must be a string or null"
    if data["status"] == "failed" and not data.get("error_type"):
        return "a failed call needs 'error_type'"
    try:
        _timestamp(data["timestamp"])
    except ValueError:
        return "'timestamp' must be an ISO 8601 date-time"
    return None


def _timestamp(text: str) -> datetime:
    """ISO 8601 with offset; a time without offset is taken as UTC."""
    if "T" not in text and " " not in text:
        raise ValueError(text)
    stamp = datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _schema_description(data: Any) -> str | None:
    errors = schema_errors(data, "execution_log")
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path)
    return f"{where}: {describe(first)}" if where else describe(first)
