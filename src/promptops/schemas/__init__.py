"""JSON Schemas shipped with the package, and validation that reports where.

Schemas are files next to this module (package data) so users and editors can use the
same documents promptops validates with.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptops.files import Document
from promptops.schemas.fastcheck import Check, compile_check

if TYPE_CHECKING:
    import jsonschema


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema `name` (file `<name>.schema.json` in this package)."""
    return json.loads(schema_text(name))


@cache
def schema_text(name: str) -> str:
    """The text of schema `name`, as shipped: package data is a file beside this module
    (importlib.resources, which would also read a zip, cost ~5 ms of imports per command)."""
    return (Path(__file__).parent / f"{name}.schema.json").read_text("utf-8")


def schema_errors(data: Any, name: str) -> list[jsonschema.ValidationError]:
    """Every violation of schema `name`, most specific first, in document order."""
    errors = sorted(_validator(name).iter_errors(data), key=_document_order)
    return [_most_specific(e) for e in errors]


def _document_order(error: jsonschema.ValidationError) -> list[str]:
    return [str(p) for p in error.absolute_path]


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    """Built once per schema: `promptops list` validates every agent.yaml of the repository."""
    import jsonschema  # imported on first validation: it costs ~0.1 s at every CLI start otherwise

    return jsonschema.Draft202012Validator(load_schema(name), format_checker=jsonschema.FormatChecker())


def _most_specific(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    from jsonschema.exceptions import best_match

    best = best_match([error])
    return best if best is not None else error


def validate_document(doc: Document, name: str) -> None:
    """Raise an InputError at the first violation: file, line, column, JSON path, expectation.

    A valid document passes the compiled check alone, so jsonschema (and its import) is
    paid only to explain a violation.
    """
    check = _document_check(name)
    if check is not None and check(doc.data):
        return
    errors = schema_errors(doc.data, name)
    if errors:
        first = errors[0]
        raise doc.error(list(first.absolute_path), describe(first))


def validate_items(doc: Document, name: str, key: str) -> None:
    """As validate_document, checking the list under `key` one item at a time.

    The document without the list is checked first, then each item against the list's item
    schema: a 10,000-case file is validated without collecting errors for the whole file,
    and the first bad item is reported at its own line.
    """
    data = doc.data
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        validate_document(doc, name)
        return
    validate_document(replace(doc, data={**data, key: []}), name)
    check = _item_check(name, key)
    for index, item in enumerate(items):
        if check(item):
            continue
        errors = list(_item_validator(name, key).iter_errors(item))
        if errors:
            first = _most_specific(min(errors, key=_document_order))
            raise doc.error([key, index, *first.absolute_path], describe(first))


def _item_schema(name: str, key: str) -> dict[str, Any]:
    schema = load_schema(name)
    return {"$defs": schema.get("$defs", {}), **schema["properties"][key]["items"]}


@cache
def _document_check(name: str) -> Check | None:
    return compile_check(load_schema(name))


@cache
def _item_check(name: str, key: str) -> Check:
    """The compiled yes/no check of one item (jsonschema's own when the schema does not compile)."""
    return compile_check(_item_schema(name, key)) or _item_validator(name, key).is_valid


@cache
def _item_validator(name: str, key: str) -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(_item_schema(name, key), format_checker=jsonschema.FormatChecker())


def describe(error: jsonschema.ValidationError) -> str:
    """A sentence that says what was expected rather than echoing the schema."""
    if error.validator == "additionalProperties":
        return f"{error.message} (allowed: {', '.join(sorted(error.schema.get('properties', {})))})"
    if error.validator == "enum":
        return f"expected one of {', '.join(map(repr, error.validator_value))}, got {error.instance!r}"
    if error.validator == "not" and set(error.validator_value) == {"required"}:
        return f"write one of {' or '.join(error.validator_value['required'])}, not both"
    if error.validator == "type":
        return f"expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}"
    return error.message


def schema_problem(schema: Any) -> str | None:
    """Why `schema` is not a usable JSON Schema object (a tool's input schema), or None."""
    if not isinstance(schema, dict):
        return f"expected a JSON Schema object, got {type(schema).__name__}"
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(map(str, exc.absolute_path))
        return f"not a valid JSON Schema{' at ' + where if where else ''}: {exc.message}"
    return None
