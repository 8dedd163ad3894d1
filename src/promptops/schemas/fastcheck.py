"""A yes/no validity check compiled from a JSON Schema, for the keywords our item schemas use.

jsonschema walks a schema through its generic keyword machinery and a reference
registry: about 0.25 ms per eval case, most of a cached 2,000-case `promptops eval`. This
compiles the schema once into nested closures that only answer "valid?". It never gives
a reason: when it says no, or when the schema uses a keyword it does not know (then
`compile_check` returns None), jsonschema validates and reports as before. So it may
reject less than jsonschema only by being unable to compile, never accept more: the tests
compare both on mutated documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Annotation keywords: they never change validity.
_IGNORED = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs"})
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
}


_SCALAR_KEYWORDS = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
        "const",
    }
)


class _Unsupported(Exception):
    pass


def compile_check(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Check | None:
    """A function `value -> bool` equivalent to the schema's validity, or None if it cannot be built."""
    try:
        return _compile(schema, root if root is not None else schema)
    except _Unsupported:
        return None


def _compile(schema: Any, root: dict[str, Any]) -> Check:
    if schema is True or schema == {}:
        return lambda v: True
    if not isinstance(schema, dict):
        raise _Unsupported(schema)
    object_keys = [key for key in schema if key in _OBJECT_KEYWORDS]
    checks = [
        _keyword(key, value, schema, root)
        for key, value in schema.items()
        if key not in _IGNORED and key not in _OBJECT_KEYWORDS
    ]
    if object_keys:
        checks.append(_object(schema, root))
    checks = [c for c in checks if c is not None]
    if len(checks) == 1:
        return checks[0]

    def every(v: Any) -> bool:  # a loop, not all(genexpr): this runs for every value of every case
        for check in checks:  # noqa: SIM110 - the generator costs a frame per call
            if not check(v):
                return False
        return True

    return every


def _keyword(key: str, value: Any, schema: dict[str, Any], root: dict[str, Any]) -> Check | None:
    if key == "$ref":
        return _ref(value, root)
    if key == "not":
        inner = _compile(value, root)
        return lambda v: not inner(v)
    if key == "type":
        return _type(value)
    if key in ("items", "uniqueItems", "minItems", "maxItems"):
        return _array_keyword(key, value, root)
    if key in _SCALAR_KEYWORDS:
        return _scalar_keyword(key, value)
    if key in ("anyOf", "oneOf"):
        options = [_compile(sub, root) for sub in value]
        if key == "anyOf":
            return lambda v: any(check(v) for check in options)
        return lambda v: sum(1 for check in options if check(v)) == 1
    raise _Unsupported(key)


def _ref(value: str, root: dict[str, Any]) -> Check:
    if not value.startswith("#/"):
        raise _Unsupported(value)
    target: Any = root
    for part in value[2:].split("/"):
        target = target[part]
    compiled: list[Check] = []

    # Compiled on first use, not now: a recursive schema (an assert-set's `assert` refers back
    # to the assertion definition) would otherwise compile forever. Data is finite, so the
    # checks it reaches are too.
    def check(v: Any) -> bool:
        if not compiled:
            compiled.append(_compile(target, root))
        return compiled[0](v)

    return check


def _type(value: Any) -> Check:
    names = [value] if isinstance(value, str) else list(value)
    tests = [_TYPES[n] for n in names if n in _TYPES]
    if len(tests) != len(names):
        raise _Unsupported(value)
    return lambda v: any(test(v) for test in tests)


_OBJECT_KEYWORDS = frozenset(
    {"properties", "additionalProperties", "required", "propertyNames", "minProperties"}
)


def _object(schema: dict[str, Any], root: dict[str, Any]) -> Check:
    """The object keywords of one schema as one check: one pass over the mapping's items."""
    props = {name: _compile(sub, root) for name, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    names_ok = _compile(schema["propertyNames"], root) if "propertyNames" in schema else None
    min_properties = schema.get("minProperties", 0)
    extra = schema.get("additionalProperties", True)
    if extra is not True and "patternProperties" in schema:
        raise _Unsupported("patternProperties")
    extra_ok = None if extra is True or extra is False else _compile(extra, root)
    closed = extra is False

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        if len(v) < min_properties:
            return False
        for name in required:
            if name not in v:
                return False
        for key, item in v.items():
            prop = props.get(key)
            if prop is None:
                if closed or (extra_ok is not None and not extra_ok(item)):
                    return False
            elif not prop(item):
                return False
            if names_ok is not None and not names_ok(key):
                return False
        return True

    return check


def _array_keyword(key: str, value: Any, root: dict[str, Any]) -> Check | None:
    if key == "items":
        item_ok = _compile(value, root)

        def items(v: Any) -> bool:
            if isinstance(v, list):
                for item in v:
                    if not item_ok(item):
                        return False
            return True

        return items
    if key == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= value
    if key == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= value
    if value is not True:
        return None
    # Unique by JSON equality, where 1 == 1.0 but True != 1: jsonschema's own rule.
    return lambda v: not isinstance(v, list) or len({_hashable(i) for i in v}) == len(v)


def _hashable(value: Any) -> Any:
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, _hashable(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(_hashable(v) for v in value))
    return value


def _scalar_keyword(key: str, value: Any) -> Check:
    number = _TYPES["number"]
    if key == "minimum":
        return lambda v: not number(v) or v >= value
    if key == "maximum":
        return lambda v: not number(v) or v <= value
    if key == "exclusiveMinimum":
        return lambda v: not number(v) or v > value
    if key == "exclusiveMaximum":
        return lambda v: not number(v) or v < value
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= value
    if key == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= value
    if key == "pattern":
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None
    # enum and const: equality as JSON compares, so True is not 1
    allowed = [_hashable(x) for x in (value if key == "enum" else [value])]
    return lambda v: _hashable(v) in allowed
