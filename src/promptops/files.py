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
from yaml.composer import Composer
from yaml.events import (
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

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


def parse_yaml(text: str, path: Path, *, items_of: str | None = None) -> Document:
    """Parse YAML (JSON is a subset); errors carry path:line:col.

    `items_of`: the top-level key holding the file's long list (an eval suite's `cases`),
    read an item at a time (see load_with_list_items)."""
    try:
        data = load_with_list_items(text, items_of) if items_of else _construct(text)
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


def load_document(path: Path, *, items_of: str | None = None) -> Document:
    """Load a YAML or JSON file. JSON goes through json first for its precise errors."""
    if not path.is_file():
        raise InputError(f"{path}: error: file not found")
    return parse_document(read_text(path), path, items_of=items_of)


def parse_document(text: str, path: Path, *, items_of: str | None = None) -> Document:
    """Parse text read from `path` (which may be a git `ref:path`); `.json` gets json's errors."""
    if path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: error: {exc.msg}") from exc
    return parse_yaml(text, path, items_of=items_of)


# Item-at-a-time loading. PyYAML composes a document's complete node tree before it
# constructs any data, and a node is several times the size of the value it becomes: a
# 10,000-case file peaked at about 25 KB per case while loading, and Python keeps that
# memory for the rest of the run. Here the items of the top-level key's list are composed
# and constructed one at a time; files this cannot read item by item (not a mapping at the
# top, a merge key at the top, an anchored list) are loaded whole.

MERGE_TAG = "tag:yaml.org,2002:merge"


class _ItemLoader(Composer, _SafeLoader):  # type: ignore[misc, valid-type]
    """libyaml's events, PyYAML's composer (so a node can be composed one item at a time)."""

    def __init__(self, text: str) -> None:
        _SafeLoader.__init__(self, text)
        Composer.__init__(self)


class _Whole(Exception):
    """This file is loaded whole instead."""


def load_with_list_items(text: str, key: str) -> Any:
    """The data `yaml.safe_load(text)` gives, composing the items of `data[key]` one at a time."""
    try:
        return _load(text, key)
    except _Whole:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader


def _load(text: str, key: str) -> Any:
    loader = _ItemLoader(text)
    try:
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # document start
        if not loader.check_event(MappingStartEvent) or loader.peek_event().anchor is not None:
            raise _Whole
        if loader.peek_event().tag not in (None, "tag:yaml.org,2002:map"):
            raise _Whole
        loader.get_event()
        data: dict[Any, Any] = {}
        while not loader.check_event(MappingEndEvent):
            name_node = loader.compose_node(None, None)
            if name_node.tag == MERGE_TAG:
                raise _Whole
            name = loader.construct_document(name_node)
            if name == key and loader.check_event(SequenceStartEvent) and loader.peek_event().anchor is None:
                data[name] = _items(loader)
            else:
                data[name] = loader.construct_document(loader.compose_node(None, None))
        loader.get_event()  # mapping end
        if not loader.check_event(DocumentEndEvent):
            raise _Whole
        loader.get_event()
        if not loader.check_event(StreamEndEvent):
            raise _Whole  # several documents: let the whole load say so, as everywhere else
        return data
    finally:
        loader.dispose()


def _items(loader: _ItemLoader) -> list[Any]:
    loader.get_event()  # sequence start
    items = []
    while not loader.check_event(SequenceEndEvent):
        items.append(loader.construct_document(loader.compose_node(None, None)))
    loader.get_event()
    return items
