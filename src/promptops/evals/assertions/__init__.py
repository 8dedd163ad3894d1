"""Assertions, named as promptfoo names them, in one registry.

The families live in their own modules: `text` (equality, substrings, regex, lengths),
`structured` (JSON, SQL, tool calls, stop reason, latency, cost) and `external` (judged by
a model, by embeddings, by the user's code, or by child assertions; run by
`promptops.evals.assess`). Every type can be negated with a `not-` prefix.
"""

from __future__ import annotations

from promptops.evals.assertions import external, structured, text
from promptops.evals.assertions.base import (
    NEGATION,
    AssertionContext,
    AssertionKind,
    AssertionOutcome,
    AssertionSpec,
    Check,
    conclude,
    error,
)
from promptops.evals.assertions.external import ALIASES, CodeSpec
from promptops.llm.types import Completion

__all__ = [
    "ALIASES",
    "NEGATION",
    "REGISTRY",
    "THRESHOLD_VALUED",
    "AssertionContext",
    "AssertionKind",
    "AssertionOutcome",
    "AssertionSpec",
    "Check",
    "CodeSpec",
    "conclude",
    "evaluate",
    "known_types",
    "lookup",
]

REGISTRY: dict[str, AssertionKind] = {
    kind.name: kind for kind in (*text.KINDS, *structured.KINDS, *external.KINDS)
}

# Types whose maximum promptfoo writes as `threshold` rather than `value`.
THRESHOLD_VALUED = ("latency", "cost")


def known_types() -> list[str]:
    return list(REGISTRY)


def lookup(type_name: str) -> tuple[AssertionKind, bool]:
    """(kind, negated) for `contains` or `not-contains`; KeyError naming the known types.

    A name that is itself a type (`not-empty`) wins over reading its prefix as a negation.
    """
    name = ALIASES.get(type_name, type_name)
    if name in REGISTRY:
        return REGISTRY[name], False
    if name.startswith(NEGATION):
        base = ALIASES.get(name[len(NEGATION) :], name[len(NEGATION) :])
        if base in REGISTRY:
            return REGISTRY[base], True
    known = ", ".join(known_types())
    raise KeyError(f"unknown assertion type {type_name!r} (known: {known}; each may be prefixed with not-)")


def evaluate(
    spec: AssertionSpec, output: Completion, context: AssertionContext | None = None
) -> AssertionOutcome:
    """Judge one output with one assertion of mode local or context; a crash is an error, not a fail."""
    kind = REGISTRY[spec.type]
    try:
        if kind.context_check is not None:
            return conclude(
                kind.context_check(spec.value, output, context or AssertionContext()), spec.negate
            )
        return conclude(kind.check(spec.value, output), spec.negate)
    except Exception as exc:  # an assertion that cannot run must not pass or fail the prompt
        return error(f"could not run: {type(exc).__name__}: {exc}")
