"""Every assertion type: pass, fail, negated, and error (it could not run)."""

from __future__ import annotations

import pytest

from promptops.evals.assertions import REGISTRY, AssertionContext, AssertionSpec, evaluate, lookup
from promptops.llm.types import Completion, ToolCall, ToolSpec


def out(text: str = "", **kw: object) -> Completion:
    return Completion(text=text, **kw)  # type: ignore[arg-type]


ORDER_SCHEMA = {"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "string"}}}
LOOKUP = (ToolCall("lookup_order", {"order_id": "A1"}),)
BAD_LOOKUP = (ToolCall("lookup_order", {"order_id": 7}),)
CONTEXT = AssertionContext(tools=(ToolSpec("lookup_order", "Look up an order", ORDER_SCHEMA),))

# type, value, an output that passes, an output that fails
CASES = [
    ("equals", "Hello", out(" Hello\n"), out("Hello there")),
    ("equals", {"a": 1}, out('{"a": 1}'), out('{"a": 2}')),
    ("contains", "refund", out("a refund is due"), out("a Refund is due")),
    ("icontains", "REFUND", out("a Refund is due"), out("no money back")),
    ("contains-any", ["refund", "credit"], out("store credit"), out("nothing")),
    ("contains-all", "refund, policy", out("refund policy"), out("refund only")),
    ("icontains-any", ["REFUND", "credit"], out("Refund"), out("nothing")),
    ("icontains-all", ["REFUND", "policy"], out("Refund Policy"), out("refund")),
    ("starts-with", "Dear", out("Dear customer"), out("Hi, Dear")),
    ("regex", r"order #\d{4}", out("your order #1234"), out("your order #12")),
    ("is-json", None, out('{"ok": true}'), out("ok: true")),
    ("is-json", ORDER_SCHEMA, out('{"order_id": "A1"}'), out('{"order_id": 1}')),
    ("contains-json", ORDER_SCHEMA, out('Here: {"order_id": "A1"} done'), out('Here: {"id": "A1"}')),
    ("contains-json", None, out("see [1, 2] {oops"), out("no json { here")),
    ("word-count", {"min": 2, "max": 3}, out("two words"), out("far too many words here")),
    ("word-count", 1, out("one"), out("not one")),
    ("latency", 100, out("x", latency_ms=99.0), out("x", latency_ms=101.0)),
    ("cost", 0.01, out("x", cost_usd=0.001), out("x", cost_usd=0.02)),
    ("finish-reason", "stop", out("x", stop_reason="end_turn"), out("x", stop_reason="max_tokens")),
    ("finish-reason", "max_tokens", out("x", stop_reason="max_tokens"), out("x", stop_reason="tool_use")),
    ("tool-call", "lookup_order", out("", tool_calls=LOOKUP), out("I will look", tool_calls=())),
    (
        "tool-call",
        {"name": "lookup_order", "arguments": ORDER_SCHEMA},
        out("", tool_calls=LOOKUP),
        out("", tool_calls=BAD_LOOKUP),
    ),
    ("not-empty", None, out(" ok "), out(" \n ")),
    ("min-length", 5, out("12345"), out("1234")),
    ("max-length", 5, out("12345"), out("123456")),
    ("is-sql", None, out("SELECT id FROM orders WHERE total > 10"), out("Sure! Here is the query you need")),
    (
        "is-sql",
        {"databaseType": "PostgreSQL", "allowedTables": ["orders"]},
        out("SELECT * FROM orders; SELECT 1"),
        out("SELECT * FROM orders JOIN users ON users.id = orders.user_id"),
    ),
    ("is-valid-function-call", None, out("", tool_calls=LOOKUP), out("", tool_calls=BAD_LOOKUP)),
]


def spec(type_name: str, value: object) -> AssertionSpec:
    kind, negate = lookup(type_name)
    return AssertionSpec(
        type=kind.name, negate=negate, value=kind.prepare(value), origin="cases[0].assert[0]"
    )


@pytest.mark.parametrize(
    ("type_name", "value", "good", "bad"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_pass_fail_and_negation(type_name: str, value: object, good: Completion, bad: Completion) -> None:
    passing = evaluate(spec(type_name, value), good, CONTEXT)
    failing = evaluate(spec(type_name, value), bad, CONTEXT)
    assert (passing.passed, passing.score) == (True, 1.0), passing.reason
    assert (failing.passed, failing.score) == (False, 0.0), failing.reason
    negated_good = evaluate(spec(f"not-{type_name}", value), good, CONTEXT)
    negated_bad = evaluate(spec(f"not-{type_name}", value), bad, CONTEXT)
    assert (negated_good.passed, negated_bad.passed) == (False, True)
    assert negated_good.reason.startswith("not expected")


def test_every_local_type_is_covered() -> None:
    local = {name for name, kind in REGISTRY.items() if kind.mode in ("local", "context")}
    assert local == {c[0] for c in CASES}


@pytest.mark.parametrize(("type_name", "value"), [(c[0], c[1]) for c in CASES])
def test_an_assertion_that_cannot_run_is_an_error_not_a_fail(type_name: str, value: object) -> None:
    # A provider that returned no text, latency or tool calls at all: nothing can be judged.
    broken = Completion(text=None, tool_calls=None, latency_ms=None, cost_usd=None, stop_reason=None)  # type: ignore[arg-type]
    for name in (type_name, f"not-{type_name}"):
        outcome = evaluate(spec(name, value), broken, CONTEXT)
        assert outcome.passed is None
        assert outcome.reason.startswith("could not run")


def test_reasons_say_what_was_seen() -> None:
    assert evaluate(spec("word-count", {"max": 2}), out("a b c")).reason == "3 words, expected [0, 2]"
    assert "missing ['policy']" in evaluate(spec("contains-all", ["refund", "policy"]), out("refund")).reason
    assert (
        "no call to lookup_order (called: none)"
        in evaluate(spec("tool-call", "lookup_order"), out("x")).reason
    )
    is_json = evaluate(spec("is-json", ORDER_SCHEMA), out('{"order_id": 1}'))
    assert "order_id: 1 is not of type 'string'" in is_json.reason


@pytest.mark.parametrize(
    ("type_name", "value", "message"),
    [
        ("regex", "(unclosed", "does not compile"),
        ("is-json", {"type": "objekt"}, "invalid JSON Schema"),
        ("contains-json", {"required": "order_id"}, "invalid JSON Schema"),
        ("word-count", {"min": 5, "max": 2}, "greater than max"),
        ("word-count", "many", "number of words"),
        ("contains-any", [], "at least one"),
        ("latency", -1, "non-negative"),
        ("finish-reason", "done", "unknown finish reason"),
        ("tool-call", {"name": "x", "arguments": {"type": 5}}, "invalid JSON Schema"),
        ("contains", {"a": 1}, "must be a string"),
        ("llm-rubric", "  ", "rubric text"),
    ],
)
def test_bad_values_are_refused_when_prepared(type_name: str, value: object, message: str) -> None:
    kind, _ = lookup(type_name)
    with pytest.raises(ValueError, match=message):
        kind.prepare(value)


def test_unknown_type_lists_the_known_ones() -> None:
    with pytest.raises(KeyError) as info:
        lookup("not-containz")
    assert "unknown assertion type 'not-containz'" in info.value.args[0]
    assert "icontains-all" in info.value.args[0] and "llm-rubric" in info.value.args[0]


def test_local_assertions_read_the_output_alone():
    """The runner judges `local` assertions inline without building a context (runner.run_sample):
    a kind marked local that read the context would be judged against an empty one."""
    local = [kind for kind in REGISTRY.values() if kind.mode == "local"]
    assert local and all(kind.context_check is None for kind in local)
    assert any(kind.context_check is not None for kind in REGISTRY.values() if kind.mode == "context")
