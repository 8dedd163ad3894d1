"""JSON Schemas shipped with the package, and validation that reports where.

Schemas are files next to this module (package data) so users and editors can use the
same documents promptops validates with.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from promptops.files import Document

if TYPE_CHECKING:
    import jsonschema


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema `name` (file `<name>.schema.json` in this package)."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def schema_errors(data: Any, name: str) -> list[jsonschema.ValidationError]:
    """Every violation of schema `name`, most specific first, in document order."""
    errors = sorted(_validator(name).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [_most_specific(e) for e in errors]


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
    """Raise an InputError at the first violation: file, line, column, JSON path, expectation."""
    errors = schema_errors(doc.data, name)
    if errors:
        first = errors[0]
        raise doc.error(list(first.absolute_path), describe(first))


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
