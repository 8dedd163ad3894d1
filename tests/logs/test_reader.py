"""Reading execution logs: validation agreeing with the schema, bad lines, gzip, --since."""

import copy
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from promptops.errors import InputError, NotFoundError
from promptops.logs.reader import ReadSummary, parse_since, read_logs
from promptops.logs.records import BadLine, parse_record
from promptops.schemas import schema_errors

GOOD = {
    "timestamp": "2026-11-25T10:00:00.000Z",
    "agent": "support-agent",
    "prompt_id": "support-agent/system",
    "version_id": "3b18e512dba79e4c8300dd08aeb37f8e728b8dad",
    "status": "failed",
    "latency_ms": 812.5,
    "input_tokens": 1200,
    "output_tokens": 0,
    "error_type": "Timeout",
    "error_message": "timed out",
    "request_id": "req-1",
}

BROKEN = [
    ("timestamp", None),
    ("timestamp", 5),
    ("agent", ""),
    ("prompt_id", "system"),
    ("version_id", "XYZ"),
    ("status", "ok"),
    ("latency_ms", -1),
    ("latency_ms", "fast"),
    ("latency_ms", True),
    ("input_tokens", 1.5),
    ("output_tokens", -3),
    ("error_type", None),
    ("error_message", 7),
    ("request_id", 3),
]


@pytest.mark.parametrize(("key", "value"), BROKEN)
def test_the_fast_check_and_the_schema_reject_the_same_lines(key: str, value: object) -> None:
    record = copy.deepcopy(GOOD)
    record[key] = value
    assert schema_errors(record, "execution_log"), "the schema must reject it too"
    with pytest.raises(BadLine):
        parse_record(record)


@pytest.mark.parametrize(
    "key",
    [
        "timestamp",
        "agent",
        "prompt_id",
        "version_id",
        "status",
        "latency_ms",
        "input_tokens",
        "output_tokens",
    ],
)
def test_a_missing_required_field_is_named(key: str) -> None:
    record = copy.deepcopy(GOOD)
    del record[key]
    with pytest.raises(BadLine, match=key):
        parse_record(record)


def test_a_good_line_passes_both_and_extra_keys_are_allowed() -> None:
    record = {**GOOD, "model": "claude-sonnet-5-5", "status": "success", "error_type": None}
    assert schema_errors(record, "execution_log") == []
    parsed = parse_record(record)
    assert parsed.succeeded and parsed.timestamp == datetime(2026, 11, 25, 10, tzinfo=UTC)


def _lines(*records: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


def test_bad_lines_are_counted_and_skipped_with_their_places(tmp_path: Path) -> None:
    log = tmp_path / "app.jsonl"
    log.write_bytes(_lines(GOOD, b"{not json", GOOD, {**GOOD, "status": "maybe"}, b"", b"\xff\xfe", GOOD))
    summary = ReadSummary()
    records = list(read_logs([log], summary))
    assert len(records) == 3 and summary.bad_lines == 3 and summary.lines == 7
    assert summary.bad_examples[0] == "app.jsonl:2: not valid JSON"
    assert summary.bad_examples[1].startswith("app.jsonl:4: status: expected one of 'success', 'failed'")
    assert summary.bad_examples[2].startswith("app.jsonl:6: ")
    assert summary.bad_line_note().startswith("3 bad lines skipped (first: app.jsonl:2: not valid JSON;")


def test_strict_stops_at_the_first_bad_line(tmp_path: Path) -> None:
    log = tmp_path / "app.jsonl"
    log.write_bytes(_lines(GOOD, GOOD, {**GOOD, "input_tokens": "many"}))
    with pytest.raises(InputError, match=r"app.jsonl:3: error: bad log line: .*input_tokens"):
        list(read_logs([log], ReadSummary(), strict=True))


def test_gzip_and_several_files_and_since(tmp_path: Path) -> None:
    plain, packed = tmp_path / "a.jsonl", tmp_path / "b.log"  # gzip found by content, not name
    plain.write_bytes(_lines({**GOOD, "timestamp": "2026-10-01T00:00:00Z"}, GOOD))
    packed.write_bytes(gzip.compress(_lines(GOOD, GOOD)))
    summary = ReadSummary()
    assert len(list(read_logs([plain, packed], summary))) == 4
    summary = ReadSummary()
    since = parse_since("2026-11-01")
    assert len(list(read_logs([plain, packed], summary, since=since))) == 3
    assert summary.before_since == 1 and summary.files == 2


def test_missing_and_corrupt_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="log file not found: .*nope.jsonl"):
        list(read_logs([tmp_path / "nope.jsonl"], ReadSummary()))
    broken = tmp_path / "cut.jsonl.gz"
    broken.write_bytes(gzip.compress(_lines(*[GOOD] * 200))[:-30])
    with pytest.raises(InputError, match="cut.jsonl.gz:.*cannot read the log"):
        list(read_logs([broken], ReadSummary()))


def test_since_accepts_dates_times_and_ages() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert parse_since("7d", now) == datetime(2026, 11, 18, 12, tzinfo=UTC)
    assert parse_since("24h", now) == datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert parse_since("2026-11-01T06:00:00+02:00").hour == 6
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="--since 'last week': expected a date"):
        parse_since("last week")


def test_nan_and_infinity_are_not_json_so_such_lines_are_bad(tmp_path: Path) -> None:
    """Python's json would read NaN/Infinity; a NaN latency would then poison every mean."""
    log = tmp_path / "app.jsonl"
    good = json.dumps(GOOD).encode()
    nan = good.replace(b"812.5", b"NaN")
    infinite = good.replace(b"812.5", b"-Infinity")
    log.write_bytes(_lines(GOOD, nan, infinite))
    summary = ReadSummary()
    records = list(read_logs([log], summary))
    assert [r.latency_ms for r in records] == [812.5]
    assert summary.bad_examples == ["app.jsonl:2: not valid JSON", "app.jsonl:3: not valid JSON"]
