"""YAML straight from the parser's events to Python values, refusing duplicate keys on the way.

PyYAML composes a whole document's node tree (a node and two position marks per value,
several times the size of the value) and only then constructs the data; with libyaml the
composing calls back into Python to resolve every scalar's type. A 2,000-case eval suite
took 0.4 s that way, and a 10,000-case one kept ~25 KB per case of memory for the rest of
the run. Here each event becomes its value at once: no tree, one pass, the duplicate-key
check done while each mapping is filled.

It reads what users write (block and flow collections, every scalar style, the implicit
types, explicit scalar tags, anchors, aliases and `<<` merge keys) and gives exactly
what `yaml.load(text, SafeLoader)` gives. Anything else (a syntax error, a duplicate key,
an unknown tag, a tagged collection such as `!!set`, several documents, an alias used as
a key) raises `Unsupported` before any value escapes, and the caller loads the text the
slow way, which either reports the problem at its line and column or gives the data: the
node-tree loader stays the reference for every error message.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
MERGE = "tag:yaml.org,2002:merge"
VALUE = "tag:yaml.org,2002:value"  # a plain `=` key reads as the string "=" (PyYAML's flatten_mapping)

# The event source: libyaml when present (its events are ~4x cheaper than the pure-Python parser's).
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_IMPLICIT = Resolver.yaml_implicit_resolvers  # the first character -> [(tag, regexp)] table SafeLoader uses
_CONSTRUCTOR = SafeConstructor()
_OPEN = object()  # a collection still being read (an alias to it goes to PyYAML); a mapping awaiting a key
_MERGING = object()  # a mapping whose next value is merged into it (`<<:`)


class Unsupported(Exception):
    """The text needs the node-tree loader: to report an error at its place, or for a rare feature."""


def load_values(text: str) -> Any:
    """The data of a single-document YAML text, as SafeLoader gives it; `Unsupported` otherwise."""
    parser = _Parser(text)
    try:
        return _Reader(parser).document()
    except Unsupported:
        raise
    except Exception as exc:  # noqa: BLE001 - the node-tree loader re-reads the text and reports it
        raise Unsupported(str(exc)) from None
    finally:
        parser.dispose()


class _Mapping:
    """A mapping being read: its own pairs, what `<<` merged, and the key awaiting its value."""

    __slots__ = ("anchor", "data", "key", "merged")

    def __init__(self, anchor: str | None) -> None:
        self.anchor = anchor
        self.data: dict[Any, Any] = {}
        self.key: Any = _OPEN  # _OPEN: the next value is a key; _MERGING: the next value is merged
        self.merged: dict[Any, Any] | None = None  # what `<<` brought, before the mapping's own keys


class _Reader:
    def __init__(self, parser: Any) -> None:
        self.get = parser.get_event
        self.anchors: dict[str, Any] = {}
        self.overridden: set[int] = set()  # mappings whose own keys overrode merged ones

    def document(self) -> Any:
        self.get()  # stream start
        if type(self.get()) is StreamEndEvent:  # an empty stream: what SafeLoader gives is None
            return None
        value = self.node()
        if type(self.get()) is not DocumentEndEvent or type(self.get()) is not StreamEndEvent:
            raise Unsupported("several documents")  # SafeLoader's error says where the second starts
        return value

    def node(self) -> Any:
        """The value of the node that starts with the next event (collections iteratively).

        This loop is the hot path of loading a large suite, so the common scalar (plain or
        quoted text without a tag or anchor) is handled inline. A key is refused when the
        mapping already holds an equal one: stricter than PyYAML's check of the written
        text (`1` and `1.0` are one key here), which only sends such a file to the node-tree
        loader, where the written-text rule decides.
        """
        get, stack = self.get, []  # open collections: _Mapping frames, and (anchor, list) pairs
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                value = event.value
                if (
                    event.tag is not None
                    or event.anchor is not None
                    or (event.implicit[0] and (not value or value[0] in _IMPLICIT))
                ):
                    value = self.scalar(event, stack[-1] if stack else None)
                    if value is _MERGING:
                        continue
            elif kind is AliasEvent:
                value = self.anchors.get(event.anchor, _OPEN)
                if value is _OPEN or (stack and type(stack[-1]) is _Mapping and stack[-1].key is _OPEN):
                    raise Unsupported("an undefined or recursive alias, or an alias used as a key")
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                self.open(event, stack)
                continue
            elif kind is SequenceEndEvent:
                anchor, value = stack.pop()
                if anchor is not None:
                    self.anchors[anchor] = value
            elif kind is MappingEndEvent:
                frame = stack.pop()
                value = frame.data if frame.merged is None else self.merge_result(frame)
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = value
            else:
                raise Unsupported(f"unexpected {kind.__name__}")
            if not stack:
                return value
            parent = stack[-1]
            if type(parent) is not _Mapping:
                parent[1].append(value)
            elif parent.key is _OPEN:
                if value in parent.data:
                    raise Unsupported(f"duplicate key {value!r}")
                parent.key = value
            elif parent.key is _MERGING:
                self.merge(parent, value)
                parent.key = _OPEN
            else:
                parent.data[parent.key] = value
                parent.key = _OPEN

    def merge(self, frame: _Mapping, value: Any) -> None:
        """`<<: *defaults`: the mapping's pairs come first, its own keys override them.

        PyYAML's order and precedence among several merged mappings that share a key changed
        between versions (6.0.1 let the last win, 6.0.2 the first, by key identity), so
        those, and lists of several mappings, are left to the installed PyYAML."""
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, dict) or id(value) in self.overridden:
            raise Unsupported("a merge PyYAML orders its own way")
        if frame.merged is None:
            frame.merged = {}
        elif not frame.merged.keys().isdisjoint(value):
            raise Unsupported("merged mappings that share a key")
        frame.merged.update(value)

    def merge_result(self, frame: _Mapping) -> dict[Any, Any]:
        merged = frame.merged
        assert merged is not None
        if not merged.keys().isdisjoint(frame.data):
            self.overridden.add(id(merged))  # PyYAML's tree keeps both pairs: merging it again is its call
        merged.update(frame.data)
        return merged

    def open(self, event: Any, stack: list[Any]) -> None:
        if event.tag not in (None, "!", SEQ if type(event) is SequenceStartEvent else MAP):
            raise Unsupported(f"a collection tagged {event.tag}")
        if stack and type(stack[-1]) is _Mapping and stack[-1].key is _OPEN:
            raise Unsupported("a collection used as a key")
        if event.anchor is not None:
            self.anchor(event.anchor, _OPEN)
        stack.append(_Mapping(event.anchor) if type(event) is MappingStartEvent else (event.anchor, []))

    def anchor(self, name: str, value: Any) -> None:
        if name in self.anchors:
            raise Unsupported(f"duplicate anchor {name!r}")
        self.anchors[name] = value

    def scalar(self, event: Any, parent: Any) -> Any:
        raw = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = STR
            if event.implicit[0]:
                for candidate, regexp in _IMPLICIT.get(raw[0] if raw else "", ()):
                    if regexp.match(raw):
                        tag = candidate
                        break
        if type(parent) is _Mapping and parent.key is _OPEN:  # a key
            if tag == MERGE:
                parent.key = _MERGING
                return _MERGING
            if tag == VALUE:
                tag = STR
        value = raw if tag == STR else self.typed(tag, event)
        if event.anchor is not None:
            self.anchor(event.anchor, value)
        return value

    @staticmethod
    def typed(tag: str, event: Any) -> Any:
        construct = SafeConstructor.yaml_constructors.get(tag)
        if construct is None or tag in (SEQ, MAP, MERGE) or tag.endswith(("omap", "pairs", "set")):
            raise Unsupported(f"a scalar tagged {tag}")
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        return construct(_CONSTRUCTOR, node)
