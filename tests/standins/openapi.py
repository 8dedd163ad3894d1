"""GitHub's published OpenAPI schemas, for keeping the GitHub stand-in honest.

`validate(...)` checks a request or response body against an operation's schema (jsonschema,
`$ref`s resolved against the whole document). OpenAPI 3.0's `nullable: true` is not JSON Schema,
so it is rewritten to `anyOf [..., {type: null}]` once, on load.

`complete(...)` fills the *required* fields the stand-in has no real value for (avatar URLs,
node ids, counters) with type-correct placeholders, so responses stay schema-valid while every
field promptops reads carries real state.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DOCUMENT = Path(__file__).with_name("github_openapi_subset.json")
_URN = "urn:github-openapi-subset"
PLACEHOLDER_TIME = "2026-01-01T00:00:00Z"


def _nullable_to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_to_json_schema(v) for k, v in node.items()}
    if out.get("nullable") is True:
        out.pop("nullable")
        return {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def document() -> dict[str, Any]:
    return _nullable_to_json_schema(json.loads(DOCUMENT.read_text(encoding="utf-8")))


@cache
def _registry() -> Registry:
    return Registry().with_resource(_URN, Resource(contents=document(), specification=DRAFT4))


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def operation(path: str, method: str) -> dict[str, Any]:
    return document()["paths"][path][method]


def request_schema_pointer(path: str, method: str) -> str | None:
    op = operation(path, method)
    if "requestBody" not in op:
        return None
    return "#/" + _pointer("paths", path, method, "requestBody", "content", "application/json", "schema")


def response_schema_pointer(path: str, method: str, status: int) -> str:
    """The documented schema for `status`; GitHub's `basic-error` for undocumented error statuses."""
    response = operation(path, method)["responses"].get(str(status))
    if response is None:
        return "#/components/schemas/basic-error"
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = document()["components"]["responses"][name]
        if "content" not in response:
            return "#/components/schemas/basic-error"
        return "#/" + _pointer("components", "responses", name, "content", "application/json", "schema")
    return "#/" + _pointer(
        "paths", path, method, "responses", str(status), "content", "application/json", "schema"
    )


def validate(pointer: str, instance: Any) -> list[str]:
    """Every violation of the schema at `pointer` by `instance`, as readable lines."""
    validator = Draft4Validator({"$ref": _URN + pointer}, registry=_registry())
    return [
        f"{'/'.join(map(str, err.absolute_path)) or '(root)'}: {err.message[:300]}"
        for err in validator.iter_errors(instance)
    ]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"].removeprefix(_URN).lstrip("#/").split("/")
        node: Any = document()
        for part in ref:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def complete(pointer: str, partial: Any, base_url: str) -> Any:
    """`partial` with every missing required field filled by a placeholder of the right type."""
    return _fill(_resolve({"$ref": pointer}), copy.deepcopy(partial), base_url)


def _fill(schema: dict[str, Any], value: Any, base_url: str) -> Any:
    schema = _resolve(schema)
    if "allOf" in schema:
        for sub in schema["allOf"]:
            value = _fill(sub, value, base_url)
        return value
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(s) for s in schema[key]]
            if value is None and any(o.get("type") == "null" for o in options):
                return None
            real = [o for o in options if o.get("type") != "null"]
            return _fill(real[0], value, base_url) if real else value
    if value is None:
        return _placeholder(schema, base_url)
    if schema.get("type") == "object" or "properties" in schema:
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                value[name] = _placeholder(props.get(name, {}), base_url)
        for name, sub in props.items():
            if name in value and isinstance(value[name], (dict, list)):
                value[name] = _fill(sub, value[name], base_url)
    elif schema.get("type") == "array" and isinstance(value, list):
        value = [_fill(schema.get("items", {}), v, base_url) for v in value]
    return value


def _placeholder(schema: dict[str, Any], base_url: str) -> Any:
    schema = _resolve(schema)
    if "allOf" in schema or "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema.get("oneOf") or []
        if any(_resolve(o).get("type") == "null" for o in options):
            return None
        return _fill(schema, {} if _looks_like_object(schema) else None, base_url)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return _fill(schema, {}, base_url)
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return 0
    if kind == "string":
        fmt = schema.get("format")
        return {"date-time": PLACEHOLDER_TIME, "uri": base_url + "/", "email": "nobody@example.com"}.get(
            fmt, ""
        )
    return None


def _looks_like_object(schema: dict[str, Any]) -> bool:
    subs = [_resolve(s) for s in schema.get("allOf", []) + schema.get("anyOf", []) + schema.get("oneOf", [])]
    return any(s.get("type") == "object" or "properties" in s for s in subs)
