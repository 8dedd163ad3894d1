"""`promptops import-promptfoo`: convert, report what cannot be converted, write nothing on bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path

from promptops.config import load_config
from promptops.evals import load_suite, run_eval
from promptops.llm.client import LLMClient
from promptops.llm.providers.echo import EchoProvider
from tests.conftest import run_cli
from tests.evals.support import AGENT_DIR, agent_at, agent_repo

PROMPTFOO = """\
description: support bot
prompts: [file://prompt.txt]
providers: [anthropic:messages:claude-sonnet-4-5]
defaultTest:
  vars: {customer_message: hello}
  assert:
    - type: not-icontains
      value: as an ai
  options: {provider: openai:gpt-4o}
tests:
  - description: Refund request
    vars: {customer_message: I want a refund}
    assert:
      - {type: icontains, value: refund, weight: 2}
      - {type: javascript, value: "output.length < 100"}
      - {type: llm-rubric, value: Polite, provider: "anthropic:messages:claude-haiku-4-5", metric: tone}
      - {type: latency, threshold: 5000}
  - vars: {customer_message: "{{name}}"}
    threshold: 0.5
    assert:
      - {type: regex, value: '\\d+'}
      - {type: python, value: file://check.py}
  - description: Refund request
    assert: [{type: is-json, value: {type: object}}]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(text)
    return path


def cases_file(repo: Path) -> Path:
    return repo / AGENT_DIR / "evals" / "cases.yaml"


def test_import_converts_and_reports_by_index(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path, "# no cases yet\ncases: []\n")
    result = run_cli(repo, "import-promptfoo", str(write(tmp_path, PROMPTFOO)), "--agent", "support-agent")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote {cases_file(repo)}: 3 cases, 6 assertions"
    assert "not converted: tests[0].assert[1]: type 'javascript' cannot be converted" in result.stdout
    assert "not converted: tests[1].assert[1]: type 'python' cannot be converted" in result.stdout
    assert (
        "not converted: defaultTest.options: promptfoo `options` has no promptops equivalent" in result.stdout
    )
    assert (
        "note: tests[0].assert[2]: judge provider 'anthropic:messages:claude-haiku-4-5' becomes model "
        "'claude-haiku-4-5'"
    ) in result.stdout
    agent = agent_at(repo)
    suite = load_suite(agent, load_config(repo))
    assert [c.id for c in suite.cases] == ["refund-request", "test-2", "refund-request-2"]
    refund = suite.cases[0]
    assert [a.label for a in refund.assertions] == ["not-icontains", "icontains", "llm-rubric", "latency"]
    assert refund.assertions[1].weight == 2.0 and refund.assertions[2].provider == "claude-haiku-4-5"
    assert refund.assertions[3].value == 5000.0 and suite.cases[1].threshold == 0.5
    assert suite.cases[2].vars == {"customer_message": "hello"}
    run = asyncio.run(run_eval(LLMClient(EchoProvider()), agent, suite, case_ids=["test-2"]))
    assert run.results[0].output.endswith("Customer says: {{name}}\n")  # vars are data, not re-rendered


def test_existing_cases_are_kept_without_force(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path, "cases:\n  - {id: mine, vars: {customer_message: x}}\n")
    before = cases_file(repo).read_text()
    refused = run_cli(repo, "import-promptfoo", str(write(tmp_path, PROMPTFOO)), "--agent", "support-agent")
    assert refused.exit_code == 2 and "already holds cases; pass --force to replace them" in refused.stderr
    assert cases_file(repo).read_text() == before
    forced = run_cli(
        repo, "import-promptfoo", str(write(tmp_path, PROMPTFOO)), "--agent", "support-agent", "--force"
    )
    assert forced.exit_code == 0 and "refund-request" in cases_file(repo).read_text()


BAD = {
    "bad regex": (
        "tests:\n  - vars: {customer_message: x}\n    assert: [{type: regex, value: '(a'}]\n",
        "promptfooconfig.yaml:3:35: error: tests[0].assert[0].value: regex: regex '(a' does not compile",
    ),
    "tests from a file": (
        "tests: file://tests.csv\n",
        "promptfooconfig.yaml:1:8: error: tests: expected `tests` as a list of test cases",
    ),
    "missing template var": (
        "tests:\n  - vars: {message: x}\n",
        "promptfooconfig.yaml:2:5: error: tests[0]: would not load as promptops cases: "
        "cases[0].vars: case 'test-1' lacks var 'customer_message'",
    ),
    "malformed yaml": ("tests: [\n", "promptfooconfig.yaml:2:1: error:"),
    "bad schema": (
        "tests:\n  - vars: {customer_message: x}\n    assert:\n      - type: is-json\n"
        "        value: {type: 12}\n",
        "promptfooconfig.yaml:5:16: error: tests[0].assert[0].value: is-json: invalid JSON Schema",
    ),
}


def test_invalid_input_writes_nothing(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path, "cases: []\n")
    before = cases_file(repo).read_text()
    for name, (text, message) in BAD.items():
        result = run_cli(repo, "import-promptfoo", str(write(tmp_path, text)), "--agent", "support-agent")
        assert result.exit_code == 2, name
        assert message in result.stderr, (name, result.stderr)
        assert cases_file(repo).read_text() == before, name
    unknown = run_cli(repo, "import-promptfoo", str(write(tmp_path, PROMPTFOO)), "--agent", "support-agnet")
    assert (
        unknown.exit_code == 2 and "unknown agent 'support-agnet'; closest: support-agent" in unknown.stderr
    )
