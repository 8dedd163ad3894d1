"""Reading the YAML and JSON files users write, with errors that point into them.

A document keeps its text next to the data; when a later check (a schema violation, a
bad regex in an assertion) needs the line and column of a value, the node tree is
composed from that text then, so an error is reported the way a compiler would, while a
valid file never pays for a tree (see `yaml_values`: a tree kept for a 10,000-case suite
cost ~25 KB per case).

This is the one loader for everything a user writes (agent.yaml, eval cases, examples,
.promptops.yaml, `extract` configurations), and it is strict where YAML is lenient: a
key written twice in one mapping is an error at the second one (YAML's last-one-wins
once made a duplicate `system:` turn user.md into the system prompt), and a leading
byte-order mark is dropped from every text file, so it never reaches a model.
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
from promptops.files.yaml_values import Unsupported, load_values

BOM = "\ufeff"


@dataclass(frozen=True)
class Document:
    """A parsed file: its data, and its text, from which the node tree that knows where each
    value was is composed when a position is first asked for."""

    path: Path
    data: Any
    text: str = field(default="", repr=False)  # what was parsed (BOM dropped), for places and excerpts

    @cached_property
    def node(self) -> yaml.Node | None:
        """The YAML node tree of the text (None when YAML cannot compose it, e.g. a JSON file
        with tabs before a key: places then fall back to the start of the file)."""
        try:
            return _compose(self.text, self.path)
        except InputError:
            return None

    def locate(self, json_path: Sequence[str | int]) -> tuple[int, int]:
        """1-based (line, column) of the value at `json_path`, or of its nearest parent."""
        node = self.node
        line, col = (1, 1) if node is None else (node.start_mark.line + 1, node.start_mark.column + 1)
        for key in json_path:
            node = _child(node, key)
            if node is None:
                break
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
        return line, col

    def json_excerpt(self, json_path: Sequence[str | int]) -> str | None:
        """The exact text of the JSON value at `json_path` in a `.json` file; None for YAML.

        Lets a value (a tool's JSON Schema) be copied byte for byte: key order, number
        literals such as `1e5`, `\\u00e9` escapes and spacing all as the author wrote them.
        """
        if self.path.suffix != ".json" or self.node is None:
            return None
        line, col = self.locate(json_path)
        lines = self.text.split("\n")
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
        try:
            _, end = json.JSONDecoder().raw_decode(self.text, offset)
        except json.JSONDecodeError:
            return None
        return self.text[offset:end]

    def error(self, json_path: Sequence[str | int], message: str) -> InputError:
        line, col = self.locate(json_path)
        where = format_json_path(json_path)
        prefix = f"{where}: " if where else ""
        return InputError(f"{self.path}:{line}:{col}: error: {prefix}{message}")


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in reversed(node.value):  # the value YAML keeps is the last one
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
    """Bytes read from `path` (a file, or `ref:path` in git) as UTF-8 without a leading BOM.

    Editors on Windows write the mark; it is not part of the text, so it is never sent
    to a model and JSON (which forbids it) reads like YAML and markdown do.
    """
    try:
        return raw.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"{path}:{line}:{col}: error: not valid UTF-8 ({exc.reason})") from exc


def parse_yaml(text: str, path: Path) -> Document:
    """Parse YAML (JSON is a subset); errors carry path:line:col.

    Values are read straight from the parser's events; a text that reader does not take
    (any error, or a rare feature) goes through `parse_yaml_tree`, which reports the problem
    at its place or gives the data, exactly as before.
    """
    text = text.removeprefix(BOM)
    try:
        return Document(path=path, data=load_values(text), text=text)
    except Unsupported:
        return parse_yaml_tree(text, path)


def parse_yaml_tree(text: str, path: Path) -> Document:
    """Parse YAML through PyYAML's node tree, checking duplicate keys on it: the reference
    `parse_yaml` must agree with, and the source of every error message."""
    text = text.removeprefix(BOM)
    node = _compose(text, path)
    _check_duplicate_keys(node, path)
    doc = Document(path=path, data=_construct(node, path), text=text)
    doc.__dict__["node"] = node  # composed already: fill the cached_property
    return doc


def _compose(text: str, path: Path) -> yaml.Node | None:
    loader = _SafeLoader(text.removeprefix(BOM))
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"{path}:{line}:{col}: error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}:1:1: error: {exc}") from exc
    finally:
        loader.dispose()


def _construct(node: yaml.Node | None, path: Path) -> Any:
    if node is None:
        return None
    loader = _SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise InputError(f"{path}:{line}:{col}: error: {exc.problem or 'invalid YAML'}") from exc
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar its tag cannot build: 2026-02-30
        raise _scalar_error(node, path, exc) from exc
    finally:
        loader.dispose()


def _scalar_error(root: yaml.Node, path: Path, exc: Exception) -> InputError:
    """The one-line error for the first scalar PyYAML cannot build (it raises without a place)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            loader = _SafeLoader("")
            try:
                loader.construct_object(node)
            except (ValueError, TypeError, OverflowError) as problem:
                tag = node.tag.rpartition(":")[2]
                where = f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
                return InputError(f"{where}: error: {node.value!r} is not a valid {tag} ({problem})")
            finally:
                loader.dispose()
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return InputError(f"{path}:1:1: error: {exc}")


# libyaml when present: `promptops list` parses every agent.yaml, and the pure-Python
# parser was most of its time. One parse yields the node tree; the data is built from it.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_duplicate_keys(root: yaml.Node | None, path: Path) -> None:
    """Refuse a mapping that names a key twice, at the second one (merge keys `<<` may override).

    Of several duplicates, the one written first in the file is reported."""
    seen_nodes: set[int] = set()
    stack = [root] if root is not None else []
    found: list[tuple[yaml.Node, yaml.Node]] = []
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # an alias shares its anchor's node; check it once
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    earlier = first.setdefault((key.tag, key.value), key)
                    if earlier is not key:
                        found.append((key, earlier))
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if found:
        raise _duplicate_key(path, *min(found, key=lambda pair: pair[0].start_mark.index))


def _duplicate_key(path: Path, key: yaml.Node, earlier: yaml.Node) -> InputError:
    line, col = key.start_mark.line + 1, key.start_mark.column + 1
    return InputError(
        f"{path}:{line}:{col}: error: duplicate key {key.value!r} (first at line "
        f"{earlier.start_mark.line + 1}); YAML would silently keep only the last one"
    )


def load_document(path: Path) -> Document:
    """Load a YAML or JSON file (by its suffix); see `parse_document`."""
    if not path.is_file():
        raise InputError(f"{path}: error: file not found")
    return parse_document(read_text(path), path)


def parse_document(text: str, path: Path) -> Document:
    """Parse text read from `path` (which may be a git `ref:path`); `.json` gets json's errors."""
    if path.suffix == ".json":
        return _parse_json(text.removeprefix(BOM), path)
    return parse_yaml(text, path)


def _parse_json(text: str, path: Path) -> Document:
    """JSON's own values (YAML 1.1 would read `1e5` as a string) with YAML's node tree for places.

    The node tree only locates errors; a JSON file YAML cannot compose (tabs before a
    key, say) still loads, its errors then pointing at the start of the file.
    """
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: error: {exc.msg}") from exc
    except _DuplicateJsonKey as exc:
        _check_duplicate_keys(Document(path=path, data=None, text=text).node, path)  # at its line if YAML can
        raise InputError(f"{path}:1:1: error: duplicate key {exc.args[0]!r}") from None
    return Document(path=path, data=data, text=text)


class _DuplicateJsonKey(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateJsonKey(key)
        out[key] = value
    return out


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, so prompts written by `extract` and `import-promptfoo` stay
    readable in YAML and in diffs."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)
