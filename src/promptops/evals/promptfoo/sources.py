"""The files a promptfoo config points at with `file://`: prompts, tests, vars, values.

Paths are relative to the config's folder, as promptfoo resolves them; a glob
(`file://tests/*.yaml`) stands for every file it matches, in name order. Tests files may be
YAML, JSON, JSONL or CSV; var and value files are text, or data when JSON or YAML.
"""

from __future__ import annotations

import csv
import glob
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.errors import InputError
from promptops.evals.promptfoo.where import Where
from promptops.files import load_document, read_text

FILE = "file://"
DATA_SUFFIXES = (".json", ".yaml", ".yml")
CODE_SUFFIXES = (".py", ".js", ".ts", ".mjs", ".cjs")


def is_file_ref(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FILE)


def resolve(ref: str, base: Path, where: Where) -> list[Path]:
    """The files `file://...` names (several for a glob); an error when none exists."""
    pattern = ref[len(FILE) :] if ref.startswith(FILE) else ref
    pattern = pattern.split(":", 1)[0] if _has_function(pattern) else pattern
    full = Path(pattern) if Path(pattern).is_absolute() else base / pattern
    if glob.has_magic(pattern):
        found = sorted(Path(p) for p in glob.glob(str(full), recursive=True) if Path(p).is_file())
        if not found:
            raise where.error(f"{ref!r} matches no file")
        return found
    if not full.is_file():
        raise where.error(f"{ref!r}: file {full} does not exist")
    return [full]


def _has_function(pattern: str) -> bool:
    """`check.py:get_assert` names a function in a code file; a Windows drive letter does not."""
    head, sep, _ = pattern.partition(":")
    return bool(sep) and head.endswith(CODE_SUFFIXES)


def read_value_file(path: Path) -> Any:
    """A var or assertion value loaded from a file: parsed data for JSON/YAML, else the text."""
    if path.suffix in DATA_SUFFIXES:
        return load_document(path).data
    return read_text(path)


@dataclass(frozen=True)
class LoadedTest:
    where: Where
    test: Any  # a mapping when well-formed; checked by the converter


def load_tests_file(path: Path, main: Path) -> list[LoadedTest]:
    """Every test a tests file holds, each with its place in that file."""
    if path.suffix == ".csv":
        return _csv_tests(path, main)
    if path.suffix == ".jsonl":
        return _jsonl_tests(path, main)
    if path.suffix not in DATA_SUFFIXES:
        raise InputError(
            f"{path}: error: tests files must be YAML, JSON, JSONL or CSV"
            + (" (test generators written in code are not run)" if path.suffix in CODE_SUFFIXES else "")
        )
    doc = load_document(path)
    root = Where(path, main, doc=doc)
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("tests"), list):
        return [LoadedTest(root.child("tests", i), t) for i, t in enumerate(data["tests"])]
    if isinstance(data, dict):
        return [LoadedTest(root, data)]
    if not isinstance(data, list):
        raise root.error("expected a list of tests")
    return [LoadedTest(root.child(i), t) for i, t in enumerate(data)]


def _jsonl_tests(path: Path, main: Path) -> list[LoadedTest]:
    out = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(LoadedTest(Where(path, main, line=number), json.loads(line)))
        except ValueError as exc:
            raise InputError(f"{path}:{number}:1: error: not a JSON test ({exc})") from None
    return out


def _csv_tests(path: Path, main: Path) -> list[LoadedTest]:
    """One test per row, columns kept as strings; `csv_row_test` reads promptfoo's `__` columns."""
    text = read_text(path).lstrip("\ufeff")  # spreadsheets write a byte order mark
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise InputError(f"{path}:1:1: error: the CSV file has no header row")
    out = []
    line = 1
    for row in reader:
        line_of_row, line = line + 1, reader.line_num
        if None in row:
            raise InputError(f"{path}:{line_of_row}:1: error: the row has more cells than the header")
        out.append(LoadedTest(Where(path, main, line=line_of_row), {"__csv__": dict(row)}))
    return out
