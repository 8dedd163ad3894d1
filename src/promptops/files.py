"""Reading the YAML and JSON files users write, with errors that point into them.

Every loader keeps the source text next to the data so a later schema violation can be
reported at the line and column of the offending value, the way a compiler would,
instead of as a bare JSON path. The YAML node tree that knows those positions is built
only when an error needs it: kept for a whole run, it cost 25 KB per eval case.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from promptops.errors import InputError


@dataclass(frozen=True)
class Document:
    """A parsed file: its data, and the text that says where each value was."""

    path: Path
    data: Any
    text: str = field(default="", repr=False)

    def locate(self, json_path: Sequence[str | int]) -> tuple[int, int]:
        """1-based (line, column) of the value at `json_path`, or of its nearest parent."""
        node = self._node
        line, col = (1, 1) if node is None else (node.start_mark.line + 1, node.start_mark.column + 1)
        for key in json_path:
            node = _child(node, key)
            if node is None:
                break
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
        return line, col

    @cached_property
    def _node(self) -> yaml.Node | None:
        return _compose(self.text)

    def error(self, json_path: Sequence[str | int], message: str) -> InputError:
        line, col = self.locate(json_path)
        where = format_json_path(json_path)
        prefix = f"{where}: " if where else ""
        return InputError(f"{self.path}:{line}:{col}: error: {prefix}{message}")


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == str(key):
                return v
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def format_json_path(json_path: Iterable[str | int]) -> str:
    """`["tools", 1, "description_file"]` -> `tools[1].description_file`."""
    out = ""
    for key in json_path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out


def read_text(path: Path) -> str:
    """A UTF-8 text file, or an InputError naming the file and the first bad byte."""
    return decode_text(path.read_bytes(), path)


def decode_text(raw: bytes, path: Path) -> str:
    """Bytes read from `path` (a file, or `ref:path` in git) as UTF-8, or an error at the bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"{path}:{line}:{col}: error: not valid UTF-8 ({exc.reason})") from exc


def parse_yaml(text: str, path: Path) -> Document:
    """Parse YAML (JSON is a subset); errors carry path:line:col."""
    try:
        data = _construct(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"{path}:{line}:{col}: error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}:1:1: error: {exc}") from exc
    return Document(path=path, data=data, text=text)


# libyaml when present: `promptops list` parses every agent.yaml, and the pure-Python
# parser was most of its time.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _construct(text: str) -> Any:
    loader = _SafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _compose(text: str) -> yaml.Node | None:
    """The node tree (positions of every value) of text that already parsed once."""
    if not text:
        return None
    loader = _SafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def load_document(path: Path) -> Document:
    """Load a YAML or JSON file. JSON goes through json first for its precise errors."""
    if not path.is_file():
        raise InputError(f"{path}: error: file not found")
    return parse_document(read_text(path), path)


def parse_document(text: str, path: Path) -> Document:
    """Parse text read from `path` (which may be a git `ref:path`); `.json` gets json's errors."""
    if path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: error: {exc.msg}") from exc
    return parse_yaml(text, path)
