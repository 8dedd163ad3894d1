"""The records every assertion family shares, the value checkers they reuse, and negation.

Each type has a `prepare` step that checks and normalises its value when the cases file
is loaded (a regex that does not compile, an invalid JSON Schema, a bad bound are
reported then, before any model call) and a way to judge one output. A check that raises
becomes an *error* (passed=None), kept apart from a *fail*, so a broken assertion never
counts as the prompt's fault.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from promptops.llm.types import Completion, ToolSpec

NEGATION = "not-"

# How an assertion is judged: from the output alone; from the output and the request
# (`context`); by a judge model; by comparing embeddings; by running the user's code in a
# subprocess; or from its child assertions.
Mode = Literal["local", "context", "judge", "embedding", "code", "set"]


@dataclass(frozen=True)
class AssertionContext:
    """What an assertion may need besides the output: the case and the request sent."""

    vars: dict[str, Any] = field(default_factory=dict)
    prompt: str = ""  # the rendered user turn the model answered
    system: str = ""
    tools: tuple[ToolSpec, ...] = ()
    case_id: str = ""
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


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
    rubric_prompt: Any = None  # judge types: the user's own grading prompt (text or messages)
    children: tuple[AssertionSpec, ...] = field(default=())  # assert-set: its assertions

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


def _no_local_check(value: Any, out: Completion) -> Check:
    raise RuntimeError("this assertion is not judged from the output alone")


@dataclass(frozen=True)
class AssertionKind:
    name: str
    prepare: Callable[[Any], Any]
    check: Callable[[Any, Completion], Check] = _no_local_check
    mode: Mode = "local"
    context_check: Callable[[Any, Completion, AssertionContext], Check] | None = None
    default_threshold: float | None = None  # the pass mark promptfoo uses when none is written

    @property
    def graded(self) -> bool:
        """Needs a judge model call (counted by the optimizer's budget estimate)."""
        return self.mode == "judge"


def string(value: Any) -> str:
    if value is None:
        raise ValueError("needs a `value`")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"value must be a string, got {type(value).__name__} {value!r}")
    return str(value)


def string_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # promptfoo accepts "a, b, c"
        items = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list):
        items = [string(item) for item in value]
    else:
        raise ValueError(f"value must be a list of strings, got {type(value).__name__} {value!r}")
    if not items:
        raise ValueError("value must list at least one string")
    return tuple(items)


def regex(value: Any) -> re.Pattern[str]:
    try:
        return re.compile(string(value))
    except re.error as exc:
        raise ValueError(f"regex {value!r} does not compile: {exc}") from exc


def optional_schema(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"value must be a JSON Schema object, got {type(value).__name__} {value!r}")
    import jsonschema  # only suites with is-json schemas pay for it (~0.07 s)

    try:
        jsonschema.Draft202012Validator.check_schema(value)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise ValueError(f"invalid JSON Schema{f' at {where}' if where else ''}: {exc.message}") from exc
    return value


def schema_problem(data: Any, schema: dict[str, Any] | None) -> str | None:
    """The most relevant reason `data` is not valid against `schema`, or None."""
    if schema is None:
        return None
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where + ': ' if where else ''}{error.message}"


def number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{what} must be a non-negative number, got {value!r}")
    return float(value)


def count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}")
    return value


def any_value(value: Any) -> Any:
    return value


def no_value(value: Any) -> None:
    if value not in (None, "", {}):
        raise ValueError(f"takes no value, got {value!r}")
    return None


def show(text: str, limit: int = 60) -> str:
    """A short quote of the output for reasons."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


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


def error(reason: str) -> AssertionOutcome:
    """An assertion that could not run: neither a pass nor a fail."""
    return AssertionOutcome(None, 0.0, reason)
