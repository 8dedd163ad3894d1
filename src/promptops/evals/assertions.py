"""Assertions: one small function per type, named as promptfoo names them.

Each type has a `prepare` step that checks and normalises its value when the cases file
is loaded (a regex that does not compile, an invalid JSON Schema, a bad word-count bound
are reported then, before any model call) and a `check` that judges one output. Every type
can be negated with a `not-` prefix. A check that raises becomes an *error* (passed=None),
kept apart from a *fail*, so a broken assertion never counts as the prompt's fault.
`llm-rubric` is graded by a judge model; it lives in `promptops.evals.judge`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from promptops.llm.types import Completion

NEGATION = "not-"


@dataclass(frozen=True)
class AssertionSpec:
    """One assertion as loaded from a cases file, its value already checked and normalised."""

    type: str  # base type, without `not-`
    negate: bool
    value: Any
    weight: float = 1.0
    threshold: float | None = None
    provider: str | None = None
    origin: str = ""  # where it was written: "cases[3].assert[1]" or "defaults.assert[0]"

    @property
    def label(self) -> str:
        """The type as the user wrote it, e.g. `not-contains`."""
        return f"{NEGATION}{self.type}" if self.negate else self.type


@dataclass(frozen=True)
class Check:
    """What one assertion concluded about one output; score defaults to 1 for pass, 0 for fail."""

    passed: bool
    reason: str
    score: float | None = None


@dataclass(frozen=True)
class AssertionOutcome:
    """A check after negation and error handling. passed=None means it could not run."""

    passed: bool | None
    score: float
    reason: str


@dataclass(frozen=True)
class AssertionKind:
    name: str
    prepare: Callable[[Any], Any]
    check: Callable[[Any, Completion], Check]
    graded: bool = False  # needs a judge model call; run by promptops.evals.judge


def _string(value: Any) -> str:
    if value is None:
        raise ValueError("needs a `value`")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"value must be a string, got {type(value).__name__} {value!r}")
    return str(value)


def _string_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # promptfoo accepts "a, b, c"
        items = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list):
        items = [_string(item) for item in value]
    else:
        raise ValueError(f"value must be a list of strings, got {type(value).__name__} {value!r}")
    if not items:
        raise ValueError("value must list at least one string")
    return tuple(items)


def _regex(value: Any) -> re.Pattern[str]:
    try:
        return re.compile(_string(value))
    except re.error as exc:
        raise ValueError(f"regex {value!r} does not compile: {exc}") from exc


def _optional_schema(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"value must be a JSON Schema object, got {type(value).__name__} {value!r}")
    import jsonschema  # only suites with is-json schemas pay for it (~0.1 s of start-up)

    try:
        jsonschema.Draft202012Validator.check_schema(value)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise ValueError(f"invalid JSON Schema{f' at {where}' if where else ''}: {exc.message}") from exc
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{what} must be a non-negative number, got {value!r}")
    return float(value)


def _word_bounds(value: Any) -> tuple[int | None, int | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, dict) and value and set(value) <= {"min", "max"}:
        low, high = value.get("min"), value.get("max")
        for bound in (low, high):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int) or bound < 0):
                raise ValueError(f"word-count bounds must be non-negative integers, got {bound!r}")
        if low is not None and high is not None and low > high:
            raise ValueError(f"word-count min {low} is greater than max {high}")
        return low, high
    raise ValueError(f"value must be a number of words or {{min: N, max: M}}, got {value!r}")


def _tool_expectation(value: Any) -> tuple[str | None, dict[str, Any] | None]:
    if value is None:
        return None, None
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict) and "name" in value and set(value) <= {"name", "arguments"}:
        return _string(value["name"]), _optional_schema(value.get("arguments"))
    raise ValueError(f"value must be a tool name or {{name: ..., arguments: <JSON Schema>}}, got {value!r}")


def _any(value: Any) -> Any:
    return value


def _rubric(value: Any) -> str:
    text = _string(value)
    if not text.strip():
        raise ValueError("llm-rubric needs the rubric text as its value")
    return text


def _show(text: str, limit: int = 60) -> str:
    """A short quote of the output for reasons."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def check_equals(value: Any, out: Completion) -> Check:
    if isinstance(value, dict | list):
        try:
            parsed = json.loads(out.text)
        except ValueError:
            return Check(False, f"output is not JSON, so not equal to {json.dumps(value)}")
        return Check(
            parsed == value,
            "output JSON equals the expected value"
            if parsed == value
            else "output JSON differs from the expected value",
        )
    expected = _string(value)
    ok = out.text.strip() == expected.strip()
    return Check(
        ok, f"output {'equals' if ok else 'is not'} {expected!r}" + ("" if ok else f": {_show(out.text)}")
    )


def _contains(value: Any, out: Completion, fold: bool) -> Check:
    needle, text = _string(value), out.text
    found = needle.casefold() in text.casefold() if fold else needle in text
    return Check(found, f"{'found' if found else 'did not find'} {needle!r} in the output")


def _contains_many(value: tuple[str, ...], out: Completion, fold: bool, need_all: bool) -> Check:
    text = out.text.casefold() if fold else out.text
    found = [v for v in value if (v.casefold() if fold else v) in text]
    missing = [v for v in value if v not in found]
    if need_all:
        return Check(not missing, "found all of them" if not missing else f"missing {missing}")
    return Check(bool(found), f"found {found}" if found else f"found none of {list(value)}")


def check_starts_with(value: Any, out: Completion) -> Check:
    prefix = _string(value)
    ok = out.text.lstrip().startswith(prefix)
    return Check(ok, f"output {'starts' if ok else 'does not start'} with {prefix!r}")


def check_regex(value: re.Pattern[str], out: Completion) -> Check:
    match = value.search(out.text)
    if match:
        return Check(True, f"/{value.pattern}/ matched {match.group(0)!r}")
    return Check(False, f"/{value.pattern}/ did not match {_show(out.text)}")


def _schema_problem(data: Any, schema: dict[str, Any] | None) -> str | None:
    if schema is None:
        return None
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where + ': ' if where else ''}{error.message}"


def check_is_json(value: dict[str, Any] | None, out: Completion) -> Check:
    try:
        data = json.loads(out.text)
    except ValueError as exc:
        return Check(False, f"output is not JSON ({exc})")
    problem = _schema_problem(data, value)
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
    problems = [_schema_problem(f, value) for f in fragments]
    if any(p is None for p in problems):
        return Check(True, "output contains JSON" + (" matching the schema" if value else ""))
    return Check(False, f"no embedded JSON matches the schema: {problems[0]}")


def check_word_count(value: tuple[int | None, int | None], out: Completion) -> Check:
    low, high = value
    words = len(out.text.split())
    ok = (low is None or words >= low) and (high is None or words <= high)
    bounds = (
        f"{low}" if low == high else f"[{low if low is not None else 0}, {high if high is not None else '∞'}]"
    )
    return Check(ok, f"{words} words, expected {bounds}")


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
    reason = _string(value)
    if reason not in FINISH_REASONS:
        raise ValueError(f"unknown finish reason {reason!r} (known: {', '.join(FINISH_REASONS)})")
    return reason


def check_finish_reason(value: str, out: Completion) -> Check:
    if not out.stop_reason:
        raise ValueError("the provider reported no stop reason")
    ok = FINISH_REASONS.get(out.stop_reason, out.stop_reason) == FINISH_REASONS[value]
    return Check(ok, f"stopped with {out.stop_reason!r}, expected {value!r}")


def check_tool_call(value: tuple[str | None, dict[str, Any] | None], out: Completion) -> Check:
    name, schema = value
    called = [c for c in out.tool_calls if name is None or c.name == name]
    if not called:
        names = [c.name for c in out.tool_calls]
        return Check(False, f"no call to {name or 'any tool'} (called: {names or 'none'})")
    problems = [_schema_problem(c.arguments, schema) for c in called]
    if any(p is None for p in problems):
        return Check(True, f"called {called[0].name}" + (" with matching arguments" if schema else ""))
    return Check(False, f"{called[0].name} arguments do not match: {problems[0]}")


def check_graded(value: Any, out: Completion) -> Check:
    raise RuntimeError("llm-rubric is graded by the judge, not checked locally")


REGISTRY: dict[str, AssertionKind] = {
    kind.name: kind
    for kind in (
        AssertionKind("equals", _any, check_equals),
        AssertionKind("contains", _string, lambda v, o: _contains(v, o, fold=False)),
        AssertionKind("icontains", _string, lambda v, o: _contains(v, o, fold=True)),
        AssertionKind("contains-any", _string_list, lambda v, o: _contains_many(v, o, False, False)),
        AssertionKind("contains-all", _string_list, lambda v, o: _contains_many(v, o, False, True)),
        AssertionKind("icontains-any", _string_list, lambda v, o: _contains_many(v, o, True, False)),
        AssertionKind("icontains-all", _string_list, lambda v, o: _contains_many(v, o, True, True)),
        AssertionKind("starts-with", _string, check_starts_with),
        AssertionKind("regex", _regex, check_regex),
        AssertionKind("is-json", _optional_schema, check_is_json),
        AssertionKind("contains-json", _optional_schema, check_contains_json),
        AssertionKind("word-count", _word_bounds, check_word_count),
        AssertionKind("latency", lambda v: _number(v, "latency (max ms)"), check_latency),
        AssertionKind("cost", lambda v: _number(v, "cost (max USD)"), check_cost),
        AssertionKind("finish-reason", _finish_reason, check_finish_reason),
        AssertionKind("tool-call", _tool_expectation, check_tool_call),
        AssertionKind("llm-rubric", _rubric, check_graded, graded=True),
    )
}

# Types whose maximum promptfoo writes as `threshold` rather than `value`.
THRESHOLD_VALUED = ("latency", "cost")


def known_types() -> list[str]:
    return list(REGISTRY)


def lookup(type_name: str) -> tuple[AssertionKind, bool]:
    """(kind, negated) for `contains` or `not-contains`; KeyError naming the known types."""
    negate = type_name.startswith(NEGATION)
    base = type_name[len(NEGATION) :] if negate else type_name
    if base not in REGISTRY:
        known = ", ".join(known_types())
        raise KeyError(
            f"unknown assertion type {type_name!r} (known: {known}; each may be prefixed with not-)"
        )
    return REGISTRY[base], negate


def conclude(check: Check, negate: bool) -> AssertionOutcome:
    """Apply negation and the default score to one check."""
    score = check.score if check.score is not None else float(check.passed)
    if negate:
        return AssertionOutcome(
            not check.passed,
            1.0 - score,
            f"not expected, but {check.reason}" if check.passed else f"as required, {check.reason}",
        )
    return AssertionOutcome(check.passed, score, check.reason)


def evaluate(spec: AssertionSpec, output: Completion) -> AssertionOutcome:
    """Judge one output with one local (non-graded) assertion; a crash is an error, not a fail."""
    kind = REGISTRY[spec.type]
    try:
        return conclude(kind.check(spec.value, output), spec.negate)
    except Exception as exc:  # an assertion that cannot run must not pass or fail the prompt
        return AssertionOutcome(None, 0.0, f"could not run: {type(exc).__name__}: {exc}")
