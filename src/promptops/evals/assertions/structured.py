"""Assertions on structure and metadata: JSON, SQL, tool calls, stop reason, latency, cost."""

from __future__ import annotations

import json
from typing import Any

from promptops.evals.assertions.base import (
    AssertionContext,
    AssertionKind,
    Check,
    no_value,
    number,
    optional_schema,
    schema_problem,
    string,
)
from promptops.llm.types import Completion


def check_is_json(value: dict[str, Any] | None, out: Completion) -> Check:
    try:
        data = json.loads(out.text)
    except ValueError as exc:
        return Check(False, f"output is not JSON ({exc})")
    problem = schema_problem(data, value)
    if problem:
        return Check(False, f"JSON does not match the schema: {problem}")
    return Check(True, "output is JSON" + (" matching the schema" if value else ""))


def _json_fragments(text: str) -> list[Any]:
    """Every JSON object or array embedded in text, leftmost first."""
    decoder, found, pos = json.JSONDecoder(), [], 0
    while True:
        starts = [i for i in (text.find("{", pos), text.find("[", pos)) if i >= 0]
        if not starts:
            return found
        start = min(starts)
        try:
            data, end = decoder.raw_decode(text, start)
        except ValueError:
            pos = start + 1
            continue
        found.append(data)
        pos = end


def check_contains_json(value: dict[str, Any] | None, out: Completion) -> Check:
    fragments = _json_fragments(out.text)
    if not fragments:
        return Check(False, "no JSON object or array in the output")
    problems = [schema_problem(f, value) for f in fragments]
    if any(p is None for p in problems):
        return Check(True, "output contains JSON" + (" matching the schema" if value else ""))
    return Check(False, f"no embedded JSON matches the schema: {problems[0]}")


def check_latency(value: float, out: Completion) -> Check:
    ok = out.latency_ms <= value
    return Check(ok, f"latency {out.latency_ms:.0f} ms {'<=' if ok else '>'} {value:g} ms")


def check_cost(value: float, out: Completion) -> Check:
    ok = out.cost_usd <= value
    return Check(ok, f"cost ${out.cost_usd:.6f} {'<=' if ok else '>'} ${value:g}")


# Anthropic and OpenAI/promptfoo name the same stop conditions differently; compare canonically.
FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "stop": "stop",
    "max_tokens": "length",
    "length": "length",
    "tool_use": "tool_calls",
    "tool_calls": "tool_calls",
    "refusal": "content_filter",
    "content_filter": "content_filter",
}


def _finish_reason(value: Any) -> str:
    reason = string(value)
    if reason not in FINISH_REASONS:
        raise ValueError(f"unknown finish reason {reason!r} (known: {', '.join(FINISH_REASONS)})")
    return reason


def check_finish_reason(value: str, out: Completion) -> Check:
    if not out.stop_reason:
        raise ValueError("the provider reported no stop reason")
    ok = FINISH_REASONS.get(out.stop_reason, out.stop_reason) == FINISH_REASONS[value]
    return Check(ok, f"stopped with {out.stop_reason!r}, expected {value!r}")


def _tool_expectation(value: Any) -> tuple[str | None, dict[str, Any] | None]:
    if value is None:
        return None, None
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict) and "name" in value and set(value) <= {"name", "arguments"}:
        return string(value["name"]), optional_schema(value.get("arguments"))
    raise ValueError(f"value must be a tool name or {{name: ..., arguments: <JSON Schema>}}, got {value!r}")


def check_tool_call(value: tuple[str | None, dict[str, Any] | None], out: Completion) -> Check:
    name, schema = value
    called = [c for c in out.tool_calls if name is None or c.name == name]
    if not called:
        names = [c.name for c in out.tool_calls]
        return Check(False, f"no call to {name or 'any tool'} (called: {names or 'none'})")
    problems = [schema_problem(c.arguments, schema) for c in called]
    if any(p is None for p in problems):
        return Check(True, f"called {called[0].name}" + (" with matching arguments" if schema else ""))
    return Check(False, f"{called[0].name} arguments do not match: {problems[0]}")


def check_valid_function_call(value: None, out: Completion, context: AssertionContext) -> Check:
    """promptfoo's is-valid-function-call: every tool call names a declared tool, arguments valid."""
    if len(out.tool_calls) == 0:
        return Check(False, "the model called no tool")
    schemas = {t.name: t.input_schema for t in context.tools}
    for call in out.tool_calls:
        if call.name not in schemas:
            return Check(False, f"called {call.name!r}, which the agent does not declare ({sorted(schemas)})")
        problem = schema_problem(call.arguments, schemas[call.name])
        if problem:
            return Check(False, f"{call.name} arguments do not match its input_schema: {problem}")
    names = ", ".join(c.name for c in out.tool_calls)
    return Check(True, f"{names}: arguments valid against the declared input_schema")


# promptfoo's `databaseType` names (node-sql-parser) -> sqlglot dialects.
SQL_DIALECTS = {
    "mysql": "mysql",
    "mariadb": "mysql",
    "postgresql": "postgres",
    "postgres": "postgres",
    "sqlite": "sqlite",
    "bigquery": "bigquery",
    "snowflake": "snowflake",
    "transactsql": "tsql",
    "redshift": "redshift",
    "hive": "hive",
    "db2": None,
}


def _sql_options(value: Any) -> tuple[str | None, frozenset[str] | None]:
    """(sqlglot dialect, allowed tables) from promptfoo's {databaseType, allowedTables}."""
    if value in (None, ""):
        return "mysql", None  # promptfoo's default database type
    if not isinstance(value, dict) or not set(value) <= {"databaseType", "allowedTables"}:
        raise ValueError(f"value must be {{databaseType: ..., allowedTables: [...]}}, got {value!r}")
    kind = str(value.get("databaseType", "MySQL")).lower()
    if kind not in SQL_DIALECTS or SQL_DIALECTS[kind] is None:
        known = ", ".join(k for k, v in SQL_DIALECTS.items() if v)
        raise ValueError(f"databaseType {value.get('databaseType')!r} is not supported (known: {known})")
    tables = value.get("allowedTables")
    if tables is not None and not (isinstance(tables, list) and all(isinstance(t, str) for t in tables)):
        raise ValueError(f"allowedTables must be a list of table names, got {tables!r}")
    return SQL_DIALECTS[kind], frozenset(t.lower() for t in tables) if tables is not None else None


def check_is_sql(value: tuple[str | None, frozenset[str] | None], out: Completion) -> Check:
    import sqlglot  # a real SQL parser: a regex cannot tell a valid statement from SQL-ish prose
    from sqlglot import exp
    from sqlglot.errors import ParseError

    dialect, allowed = value
    text = out.text.strip()
    if not text:
        return Check(False, "output is empty, not SQL")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        return Check(False, f"not valid {dialect} SQL: {first}")
    statement_types = (exp.Query, exp.DML, exp.DDL, exp.Drop, exp.Use, exp.Show, exp.Describe)
    if not statements or not all(isinstance(s, statement_types) for s in statements):
        return Check(False, f"not a {dialect} SQL statement: {text[:60]!r}")
    if allowed is not None:
        used = {t.name.lower() for s in statements for t in s.find_all(exp.Table)}
        extra = sorted(used - allowed)
        if extra:
            return Check(False, f"uses table(s) not allowed: {extra}")
    return Check(True, f"valid {dialect} SQL ({len(statements)} statement{'s' * (len(statements) > 1)})")


KINDS = (
    AssertionKind("is-json", optional_schema, check_is_json),
    AssertionKind("contains-json", optional_schema, check_contains_json),
    AssertionKind("is-sql", _sql_options, check_is_sql),
    AssertionKind("latency", lambda v: number(v, "latency (max ms)"), check_latency),
    AssertionKind("cost", lambda v: number(v, "cost (max USD)"), check_cost),
    AssertionKind("finish-reason", _finish_reason, check_finish_reason),
    AssertionKind("tool-call", _tool_expectation, check_tool_call),
    AssertionKind(
        "is-valid-function-call", no_value, mode="context", context_check=check_valid_function_call
    ),
)
