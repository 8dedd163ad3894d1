"""A large file's checked data kept between runs, by a hash of its text: a re-run parses nothing.

Reading a 2,000-case eval file is ~60 ms of libyaml events however lean the reader (see
`yaml_values`) and ~20 ms of schema checks, while reading the same data back as JSON is
~5 ms, and most runs read a cases file that has not changed since the last one (a cached
re-run, a re-run after a prompt edit). So once a text has been parsed and has passed its
checks, its data is kept as JSON with a stamp: the sha256 of the text and of the JSON, this
format, the PyYAML version, and what the caller says the checks were (a schema's digest).
It is used only when the whole stamp matches; anything else (no file, an unreadable or
damaged one, another text, other checks) parses and checks the text again.

Only data that JSON gives back equal is kept (strings, numbers, booleans, null, lists and
mappings with string keys); a file with a date, binary data or a non-string key is parsed
every time. The caller names the folder: the common git directory's `promptops/parsed/`, like the
kept file logs: never in the working tree, where a pull request could commit one that
disagrees with the text beside it. One file per source path keeps the folder bounded, and
only texts of KEEP_FROM_CHARS or more are kept (a smaller one parses about as fast as it reads).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

from promptops import __version__

FORMAT = 1
KEEP_FROM_CHARS = 16_384
FOLDER = "promptops/parsed"
MISSING = object()  # what `kept_data` gives when nothing is kept for the text


def kept_data(folder: Path, path: Path, text: str, checks: str) -> Any:
    """The data kept for exactly this `text` of `path` after exactly these `checks`, or MISSING."""
    if len(text) < KEEP_FROM_CHARS:
        return MISSING
    try:
        raw = _file(folder, path).read_text(encoding="utf-8")
        stamp, _, body = raw.partition("\n")
        if json.loads(stamp) != _stamp(text, body, checks):
            return MISSING
        return json.loads(body)
    except (OSError, ValueError):  # absent, unreadable or damaged: parse the text
        return MISSING


def keep_data(folder: Path, path: Path, text: str, data: Any, checks: str) -> None:
    """Keep `data`, parsed from `text` and passed by `checks`, when JSON gives it back equal;
    best effort (a read-only git directory only means the next run parses again)."""
    if len(text) < KEEP_FROM_CHARS:
        return
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return  # a date, bytes, a non-string key, NaN: not JSON's to give back
    if json.loads(body) != data:  # `{1: x}` dumps as `{"1": x}`: not the same data
        return
    target = _file(folder, path)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_stamp(text, body, checks)) + "\n" + body, encoding="utf-8")
        tmp.replace(target)


def _stamp(text: str, body: str, checks: str) -> dict[str, Any]:
    return {"format": FORMAT, "promptops": __version__, "yaml": yaml.__version__,
            "libyaml": hasattr(yaml, "CSafeLoader"), "checks": checks,
            "text": _digest(text), "data": _digest(body)}  # fmt: skip


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file(folder: Path, path: Path) -> Path:
    return folder / f"{_digest(str(path.resolve()))[:24]}.json"
