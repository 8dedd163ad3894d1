"""Stream execution-log records out of several files, gzip or plain, skipping bad lines.

Lines are read one at a time, so memory stays flat however large the logs are. A line that is
not JSON or not a valid record is counted and skipped (the first few places are kept for the
summary) unless `strict` is set, in which case it stops the run with its file and line.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from promptops.errors import InputError, NotFoundError
from promptops.logs.records import BadLine, LogRecord, parse_record

MAX_BAD_EXAMPLES = 5
STDIN = "-"  # a log path that means standard input (plain JSONL)
_GZIP_MAGIC = b"\x1f\x8b"
_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _not_json(constant: str) -> None:
    """NaN and Infinity are not JSON; Python reads them, but a NaN latency would poison every mean."""
    raise json.JSONDecodeError(f"{constant} is not JSON", constant, 0)


_decode = json.JSONDecoder(parse_constant=_not_json).decode


@dataclass
class ReadSummary:
    """How many lines were read, used, filtered out and rejected (with the first few places)."""

    files: int = 0
    lines: int = 0
    records: int = 0
    before_since: int = 0
    bad_lines: int = 0
    bad_examples: list[str] = field(default_factory=list)

    def bad_line_note(self) -> str | None:
        """`3 bad lines skipped (first: app.jsonl:4: not JSON, ...)`, or None when all were good."""
        if not self.bad_lines:
            return None
        word = "line" if self.bad_lines == 1 else "lines"
        return f"{self.bad_lines} bad {word} skipped (first: {'; '.join(self.bad_examples)})"


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`2026-11-01`, `2026-11-01T12:00:00Z` or a relative `7d` / `24h` / `30m` / `2w`."""
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(text.strip())
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--since {text!r}: expected a date (2026-11-01), a date-time (2026-11-01T12:00Z) "
            "or a relative age (7d, 24h, 30m, 2w)"
        ) from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def read_logs(
    paths: Sequence[Path], summary: ReadSummary, *, since: datetime | None = None, strict: bool = False
) -> Iterator[LogRecord]:
    """Yield every valid record at or after `since`, file by file, line by line."""
    missing = [str(p) for p in paths if str(p) != STDIN and not Path(p).is_file()]
    if missing:
        raise NotFoundError(f"log file not found: {', '.join(missing)}")
    for path in paths:
        summary.files += 1
        with _open(Path(path)) as stream:
            yield from _read_stream(stream, Path(path), summary, since, strict)


def _open(path: Path) -> IO[bytes]:
    if str(path) == STDIN:  # not closed after reading: the caller's stream
        return contextlib.nullcontext(sys.stdin.buffer)  # type: ignore[return-value]
    with path.open("rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == _GZIP_MAGIC else path.open("rb")


def _read_stream(
    stream: IO[bytes], path: Path, summary: ReadSummary, since: datetime | None, strict: bool
) -> Iterator[LogRecord]:
    number = 0
    try:
        for number, raw in enumerate(stream, start=1):  # noqa: B007 (number is used after an error)
            summary.lines += 1
            if not raw.strip():
                continue
            try:
                record = parse_record(_decode(raw.decode("utf-8")))
            except (ValueError, UnicodeDecodeError) as exc:
                _reject(summary, path, number, _reason(exc), strict)
                continue
            if since is not None and record.timestamp < since:
                summary.before_since += 1
                continue
            summary.records += 1
            yield record
    except (OSError, EOFError) as exc:  # truncated or corrupt gzip
        raise InputError(f"{path}:{number + 1}: error: cannot read the log: {exc}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, BadLine):
        return str(exc)
    return "not valid JSON" if isinstance(exc, json.JSONDecodeError) else "not UTF-8 text"


def _reject(summary: ReadSummary, path: Path, number: int, reason: str, strict: bool) -> None:
    where = f"{path}:{number}"
    if strict:
        raise InputError(f"{where}: error: bad log line: {reason} (drop --strict to skip bad lines)")
    summary.bad_lines += 1
    if len(summary.bad_examples) < MAX_BAD_EXAMPLES:
        summary.bad_examples.append(f"{path.name}:{number}: {reason}")
