"""The compiled schema check (promptops.schemas.fastcheck) never accepts what jsonschema rejects.

Each shipped schema is checked on a valid document and on thousands of mutations of it
(values of other types, keys removed or added, numbers and strings at and past their
bounds): both must give the same answer for every one.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import jsonschema
import pytest
import yaml

from promptops.schemas import load_schema
from promptops.schemas.fastcheck import compile_check
from tests.repo.samples import AGENT_YAML

CASES = {
    "defaults": {"vars": {"tone": "kind"}, "assert": [{"type": "contains", "value": "x"}], "repeat": 2},
    "cases": [
        {
            "id": "refund-1",
            "vars": {"customer_message": "Can I return this?", "n": 3},
            "assert": [
                {"type": "contains", "value": "refund", "weight": 2},
                {"type": "llm-rubric", "value": "polite", "threshold": 0.7, "provider": "claude"},
            ],
            "tags": ["refunds", "smoke"],
            "split": "holdout",
            "threshold": 0.5,
            "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
            "metadata": {"owner": "support"},
        }
    ],
}
CONFIG = {
    "provider": {"name": "openai", "model": "m", "base_url": "http://localhost:1/v1", "max_concurrency": 4},
    "evals": {"holdout_fraction": 0.3, "repeat": 2},
    "history": {"notes_max_age_minutes": 30},
    "cache": {"path": ".promptops/cache.sqlite", "enabled": True},
    "decision": {"alpha": 0.05},
}
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    1.5,
    100,
    101,
    "",
    "x",
    "Bad id!",
    [],
    ["a", "a"],
    {},
    {"k": 1},
]


def mutations(doc: Any, rng: random.Random, count: int) -> list[Any]:
    out = []
    for _ in range(count):
        mutated = copy.deepcopy(doc)
        for _ in range(rng.randint(1, 2)):
            _mutate(mutated, rng)
        out.append(mutated)
    return out


def _mutate(doc: Any, rng: random.Random) -> None:
    parent, key = _pick(doc, rng)
    if parent is None:
        return
    action = rng.random()
    if action < 0.6:
        parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif action < 0.8 and isinstance(parent, dict):
        del parent[key]
    elif isinstance(parent, dict):
        parent[rng.choice(["extra", "id", "type", "value", "vars", "model"])] = rng.choice(ODD_VALUES)
    else:
        parent.append(copy.deepcopy(rng.choice(ODD_VALUES)))


def _pick(doc: Any, rng: random.Random) -> tuple[Any, Any]:
    """A random (container, key) inside `doc`."""
    spots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, child in list(items):
            spots.append((node, key))
            walk(child)

    walk(doc)
    return rng.choice(spots) if spots else (None, None)


@pytest.mark.parametrize(
    ("name", "doc"),
    [("cases", CASES), ("config", CONFIG), ("agent", yaml.safe_load(AGENT_YAML))],
)
def test_compiled_check_agrees_with_jsonschema(name: str, doc: Any) -> None:
    schema = load_schema(name)
    check = compile_check(schema)
    assert check is not None, f"{name} schema no longer compiles: every load pays for jsonschema again"
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(doc) and check(doc)
    docs = mutations(doc, random.Random(name), 3000)
    disagreements = [d for d in docs if check(d) != validator.is_valid(d)]
    assert disagreements == []
    assert sum(not validator.is_valid(d) for d in docs) > 1000  # the mutations do break documents


def test_keywords_it_does_not_know_leave_validation_to_jsonschema() -> None:
    assert compile_check({"type": "string", "format": "date-time"}) is None
    assert (
        compile_check({"type": "object", "patternProperties": {"^x": {}}, "additionalProperties": False})
        is None
    )
    check = compile_check({"type": "array", "items": {"enum": [1, "a"]}, "uniqueItems": True})
    assert check is not None
    assert check([1, "a"]) and not check([True]) and not check([1, 1.0]) and not check([2])
