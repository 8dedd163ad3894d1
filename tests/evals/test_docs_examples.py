"""The cases-file examples in docs/evals.md load as written."""

from __future__ import annotations

import re
from pathlib import Path

from promptops.config import load_config
from promptops.evals import load_suite
from promptops.evals.assertions import REGISTRY
from tests.evals.support import agent_at, agent_repo

DOC = Path(__file__).parents[2] / "docs" / "evals.md"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_documented_cases_file_loads(tmp_path: Path) -> None:
    (cases,) = [b for b in yaml_blocks() if b.startswith("# prompts/support-agent/evals/cases.yaml")]
    repo = agent_repo(tmp_path, cases)
    suite = load_suite(agent_at(repo), load_config(repo))
    assert [c.id for c in suite.cases] == ["refund-request", "follow-up"]


def test_the_one_of_each_assertion_example_covers_every_type_and_loads(tmp_path: Path) -> None:
    (block,) = [b for b in yaml_blocks() if b.startswith("assert:")]
    indented = "\n".join("    " + line for line in block.splitlines())
    cases = f"cases:\n  - id: every-type\n    vars: {{customer_message: hi}}\n{indented}\n"
    repo = agent_repo(tmp_path, cases)
    (case,) = load_suite(agent_at(repo), load_config(repo)).cases
    assert {a.type for a in case.assertions} == set(REGISTRY)


def test_the_promptfoo_compatibility_table_matches_what_the_importer_does() -> None:
    from promptops.evals.promptfoo.catalog import CONFIG_KEYS, TYPES

    section = DOC.read_text(encoding="utf-8").split("### promptfoo compatibility", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([^`]+)` \| ([a-z ]+) \|", section, flags=re.M))
    assert rows == {name: status for name, (status, *_) in {**TYPES, **CONFIG_KEYS}.items()}
    # every promptops type a promptfoo type imports as is a real assertion type
    assert {target for _, target, _ in TYPES.values() if target} <= set(REGISTRY)
