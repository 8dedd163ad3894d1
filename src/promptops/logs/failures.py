"""Group recent failures of a prompt by error type and message shape.

Messages differ in ids, numbers and quoted values ("order 48213 not found"); replacing those
with placeholders lets one underlying problem show up as one group with a count, which is what
the analyzer (and a human on call) needs to see first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from promptops.logs.reader import ReadSummary, read_logs
from promptops.logs.records import LogRecord

MAX_MESSAGE = 300
_PATTERNS = (
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<id>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<id>"),
    (re.compile(r"\b[A-Za-z]+[_-][A-Za-z0-9]*\d[A-Za-z0-9_-]*\b"), "<id>"),  # req_01HX..., ord-123
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\d+(?:\.\d+)?"), "<n>"),
    (re.compile(r"'[^']*'|\"[^\"]*\""), "<value>"),
)


def normalise_message(message: str | None) -> str:
    """The message with ids, times, numbers and quoted values replaced by placeholders."""
    text = " ".join((message or "").split())[:MAX_MESSAGE]
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text or "(no message)"


@dataclass
class FailureGroup:
    error_type: str
    pattern: str
    count: int = 0
    last_seen: str = ""
    example: str = ""
    versions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FailureReport:
    prompt_id: str
    calls: int
    failures: int
    groups: list[FailureGroup]  # the top groups, most frequent first
    other_groups: int  # groups beyond --top
    read: ReadSummary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize_failures(
    paths: Sequence[Path],
    prompt_id: str,
    *,
    since: datetime | None = None,
    strict: bool = False,
    top: int = 10,
) -> FailureReport:
    """Read the logs once and group `prompt_id`'s failed calls, most frequent first."""
    summary = ReadSummary()
    groups: dict[tuple[str, str], FailureGroup] = {}
    last: dict[tuple[str, str], datetime] = {}
    versions: dict[tuple[str, str], Counter[str]] = {}
    calls = failures = 0
    for record in read_logs(paths, summary, since=since, strict=strict):
        if record.prompt_id != prompt_id:
            continue
        calls += 1
        if record.succeeded:
            continue
        failures += 1
        key = (record.error_type or "unknown", normalise_message(record.error_message))
        group = groups.setdefault(key, FailureGroup(*key))
        group.count += 1
        versions.setdefault(key, Counter())[record.version_id[:12]] += 1
        if key not in last or record.timestamp >= last[key]:
            last[key] = record.timestamp
            group.example = _example(record)
    ranked = sorted(groups, key=lambda k: (-groups[k].count, -last[k].timestamp()))
    for key in ranked:
        groups[key].last_seen = last[key].isoformat()
        groups[key].versions = dict(versions[key].most_common())
    chosen = [groups[k] for k in ranked[:top]]
    return FailureReport(prompt_id, calls, failures, chosen, max(0, len(ranked) - top), summary)


def _example(record: LogRecord) -> str:
    return " ".join((record.error_message or "").split())[:MAX_MESSAGE]
