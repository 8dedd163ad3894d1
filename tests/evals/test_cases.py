"""Loading cases files: defaults, splits, and every bad input caught before any model call."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.config import load_config
from promptops.errors import InputError
from promptops.evals.cases import assign_split, load_suite
from tests.evals.support import AGENT_DIR, agent_at, agent_repo

GOOD = """\
defaults:
  vars: {customer_message: hello}
  assert:
    - {type: not-contains, value: "As an AI"}
  tags: [smoke]
cases:
  - id: greet
    assert: [{type: icontains, value: "{{customer_message}}", weight: 2}]
  - id: refund
    vars: {customer_message: "I want my money back"}
    split: holdout
    repeat: 3
    threshold: 0.5
    tags: [refund]
    metadata: {owner: support}
    messages:
      - {role: user, content: "Hi"}
      - {role: assistant, content: "Hello! How can I help?"}
    assert:
      - {type: llm-rubric, value: "Explains the refund policy", threshold: 0.7, provider: claude-haiku-4-5}
"""


def load(tmp_path: Path, cases: str):
    repo = agent_repo(tmp_path, cases)
    return load_suite(agent_at(repo), load_config(repo))


def test_defaults_merge_into_every_case(tmp_path: Path) -> None:
    suite = load(tmp_path, GOOD)
    greet, refund = suite.cases
    assert greet.vars == {"customer_message": "hello"}
    assert [a.label for a in greet.assertions] == ["not-contains", "icontains"]
    assert greet.assertions[1].value == "hello"  # {{var}} in an assertion value takes the case's var
    assert greet.assertions[1].weight == 2.0 and greet.assertions[1].origin == "cases[0].assert[0]"
    assert greet.assertions[0].origin == "defaults.assert[0]"
    assert refund.vars["customer_message"] == "I want my money back"
    assert refund.tags == ("smoke", "refund") and refund.split == "holdout" and refund.repeat == 3
    assert refund.threshold == 0.5 and refund.metadata == {"owner": "support"}
    assert refund.messages[1] == {"role": "assistant", "content": "Hello! How can I help?"}
    rubric = refund.assertions[1]
    assert (rubric.type, rubric.threshold, rubric.provider) == ("llm-rubric", 0.7, "claude-haiku-4-5")
    assert suite.rel_path == f"{AGENT_DIR}/evals/cases.yaml" and suite.model == "claude-sonnet-4-5"


def test_splits_are_deterministic_by_id_and_follow_the_fraction() -> None:
    ids = [f"case-{i}" for i in range(2000)]
    holdout = [i for i in ids if assign_split(i, 0.3) == "holdout"]
    assert 0.26 < len(holdout) / len(ids) < 0.34
    assert holdout == [i for i in ids if assign_split(i, 0.3) == "holdout"]
    assert all(assign_split(i, 0.0) == "dev" for i in ids[:50])


def test_holdout_fraction_comes_from_config(tmp_path: Path) -> None:
    cases = "cases:\n" + "".join(f"  - {{id: c{i}, vars: {{customer_message: x}}}}\n" for i in range(40))
    repo = agent_repo(tmp_path, cases, {".promptops.yaml": "evals: {holdout_fraction: 0.9}\n"})
    suite = load_suite(agent_at(repo), load_config(repo))
    expected = [f"c{i}" for i in range(40) if assign_split(f"c{i}", 0.9) == "holdout"]
    assert [c.id for c in suite.select("holdout")] == expected and len(expected) > 30
    assert [c.id for c in suite.select("all", text="C39")] == ["c39"]


def test_select_by_tag_and_ids(tmp_path: Path) -> None:
    suite = load(tmp_path, GOOD)
    assert [c.id for c in suite.select(text="refund")] == ["refund"]
    assert [c.id for c in suite.select(text="SMOKE")] == ["greet", "refund"]
    assert [c.id for c in suite.select("dev", case_ids=["refund"])] == []  # refund is pinned to holdout
    assert [c.id for c in suite.select("holdout", case_ids=["refund"])] == ["refund"]


BAD = [
    (
        "unknown type",
        "cases:\n  - id: a\n    vars: {customer_message: x}\n    assert:\n"
        "      - {type: contains, value: x}\n      - {type: containz, value: x}\n",
        "cases.yaml:6:16: error: cases[0].assert[1].type: case 'a': "
        "unknown assertion type 'containz' (known: equals,",
    ),
    (
        "regex",
        "cases:\n  - id: a\n    vars: {customer_message: x}\n    assert: [{type: regex, value: '(x'}]\n",
        "cases.yaml:4:35: error: cases[0].assert[0].value: case 'a': regex: regex '(x' does not compile",
    ),
    (
        "is-json schema",
        "cases:\n  - id: a\n    vars: {customer_message: x}\n    assert:\n      - type: is-json\n"
        "        value: {type: objekt}\n",
        "cases.yaml:6:16: error: cases[0].assert[0].value: case 'a': is-json: invalid JSON Schema",
    ),
    (
        "duplicate ids",
        "cases:\n  - {id: a, vars: {customer_message: x}}\n  - {id: a, vars: {customer_message: y}}\n",
        "cases.yaml:3:10: error: cases[1].id: duplicate case id 'a' (first used at cases[0])",
    ),
    (
        "missing template var",
        "cases:\n  - {id: a, vars: {customer_message: x}}\n  - id: b\n    vars: {message: y}\n",
        "cases.yaml:4:11: error: cases[1].vars: case 'b' lacks var 'customer_message', which "
        "prompts/support-agent/user.md uses",
    ),
    (
        "missing var in assertion value",
        "cases:\n  - id: a\n    vars: {customer_message: x}\n"
        "    assert: [{type: contains, value: '{{name}}'}]\n",
        "cases.yaml:4:38: error: cases[0].assert[0].value: case 'a': "
        "uses var 'name', which the case does not set",
    ),
    (
        "schema: bad split",
        "cases:\n  - {id: a, split: test, vars: {customer_message: x}}\n",
        "cases.yaml:2:20: error: cases[0].split: expected one of 'dev', 'holdout', got 'test'",
    ),
    (
        "schema: unknown key",
        "cases:\n  - {id: a, var: {customer_message: x}}\n",
        "cases.yaml:2:5: error: cases[0]: Additional properties are not allowed ('var' was unexpected)",
    ),
    (
        "schema: bad message role",
        "cases:\n  - id: a\n    vars: {customer_message: x}\n    messages: [{role: system, content: hi}]\n",
        "cases.yaml:4:23: error: cases[0].messages[0].role: expected one of 'user', 'assistant'",
    ),
    (
        "defaults assertion error names the case",
        "defaults:\n  assert: [{type: word-count, value: {min: 3, max: 1}}]\n"
        "cases:\n  - {id: a, vars: {customer_message: x}}\n",
        "cases.yaml:2:38: error: defaults.assert[0].value: case 'a': "
        "word-count: word-count min 3 is greater than max 1",
    ),
    (
        "rubric threshold above 1",
        "cases:\n  - id: a\n    vars: {customer_message: x}\n"
        "    assert: [{type: llm-rubric, value: polite, threshold: 7}]\n",
        "cases.yaml:4:59: error: cases[0].assert[0].threshold: case 'a': llm-rubric: threshold is a judge",
    ),
    (
        "missing value",
        "cases:\n  - id: a\n    vars: {customer_message: x}\n    assert: [{type: contains}]\n",
        "cases.yaml:4:14: error: cases[0].assert[0]: case 'a': contains: needs a `value`",
    ),
    ("malformed yaml", "cases:\n  - id: [a\n", "cases.yaml:3:1: error:"),
]


@pytest.mark.parametrize(("name", "cases", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_caught_at_load_time(tmp_path: Path, name: str, cases: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        load(tmp_path, cases)
    text = str(info.value)
    assert message in text, text
    assert text.startswith(str(tmp_path / "work" / AGENT_DIR / "evals" / "cases.yaml"))


def test_agent_without_evals_says_how_to_add_them(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path, "cases: []\n")
    agent_yaml = repo / AGENT_DIR / "agent.yaml"
    agent_yaml.write_text(agent_yaml.read_text().replace("evals: evals/cases.yaml\n", ""))
    with pytest.raises(InputError, match="declares no eval cases; add `evals: evals/cases.yaml`"):
        load_suite(agent_at(repo), load_config(repo))
