"""`ExecutionLog`: one JSON line per call, in the format `promptops ab`, `failures` and rollouts read."""

from __future__ import annotations

import json
import math
import numbers
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from promptops.runtime.prompts import LoggablePrompt
from promptops.traffic import STABLE

try:  # POSIX; on other systems O_APPEND single writes alone keep lines whole
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

STATUSES = ("success", "failed")


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
            "latency_ms": _measure("latency_ms", latency_ms),
            "input_tokens": _measure("input_tokens", input_tokens, whole=True),
            "output_tokens": _measure("output_tokens", output_tokens, whole=True),
            "error_type": error_type,
            "error_message": error_message,
            "request_id": request_id,
            "arm": getattr(prompt, "arm", STABLE),
        }
        if score is not None:
            line["score"] = float(score)
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
