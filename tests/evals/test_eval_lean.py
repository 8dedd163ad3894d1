"""A large suite loads strictly and leanly, and a passing run prints a few plain lines (issue 15, item 4).

The suites here are written like promptfoo suites people keep: shared assertions as
anchors, `<<` merges of shared vars, block and folded multi-line strings, quoted text
with escapes, numbers, dates in metadata, chat turns.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import promptops.files
from promptops.config import load_config
from promptops.evals.cases import Suite, load_suite
from promptops.files.yaml_values import Unsupported
from tests.conftest import run_cli
from tests.evals.support import AGENT_DIR, agent_at, agent_repo
from tests.standins.anthropic_server import AnthropicStandin
from tests.standins.base import Reply
from tests.standins.fixtures import anthropic_provider_config

HEADER = """\
# Support agent regression suite (exported from promptfoo, then edited by hand)
defaults:
  vars: &base {customer_message: "hello", channel: email}
  assert:
    - &polite {type: not-icontains, value: "as an ai", weight: 0.5}
  tags: [regression]
cases:
"""


def case_text(i: int) -> str:
    """One case; every few cases use a different YAML feature."""
    kind = i % 5
    if kind == 0:
        return (
            f"  - id: refund-{i:05d}\n"
            f"    description: 'Refund question #{i} (it''s urgent)'\n"
            "    vars:\n"
            "      <<: *base\n"
            "      customer_message: |\n"
            f"        Hi, I bought item {i} last week.\n"
            "          It arrived broken.\n"
            "        Can I get my money back?\n"
            "    assert:\n"
            "      - *polite\n"
            "      - {type: icontains, value: refund}\n"
            f"      - {{type: regex, value: '(?i)order\\s+#?{i}', weight: 2}}\n"
        )
    if kind == 1:
        return (
            f'  - id: "shipping-{i:05d}"\n'
            "    vars:\n"
            "      customer_message: >\n"
            "        Where is my parcel?\n"
            f'        Tracking says "in transit" since day {i % 28 + 1}.\n'
            "      channel: chat\n"
            "    tags: [shipping, tracking]\n"
            "    threshold: 0.75\n"
            "    assert:\n"
            "      - type: llm-rubric\n"
            "        value: Gives the tracking status and a next step\n"
            "        threshold: 0.7\n"
            '      - {type: not-contains, value: "\\u00a0"}\n'
        )
    if kind == 2:
        return (
            f"  - id: multi-turn-{i:05d}\n"
            f'    vars: {{customer_message: "And the total, café ☕ included?", order_id: {1000 + i}}}\n'
            "    messages:\n"
            "      - {role: user, content: 'I ordered two coffees.'}\n"
            '      - {role: assistant, content: "Thanks! What\'s the order number?"}\n'
            f"    metadata: {{owner: billing, added: 2026-11-{i % 28 + 1:02d}, priority: {i % 3}}}\n"
            "    repeat: 2\n"
            "    assert: [{type: contains-any, value: [total, sum]}, {type: word-count, value: {max: 120}}]\n"
        )
    if kind == 3:
        return (
            f"  - id: escalation-{i:05d}\n"
            "    split: holdout\n"
            "    vars:\n"
            "      <<: *base\n"
            '      customer_message: "I\'ve asked 3 times.\\nGet me a manager!"\n'
            "    assert:\n"
            "      - type: assert-set\n"
            "        threshold: 0.5\n"
            "        assert:\n"
            "          - {type: icontains, value: sorry}\n"
            "          - {type: icontains, value: escalat}\n"
        )
    return (
        f"  - id: greeting-{i:05d}\n"
        "    vars: {customer_message: 'Hello there', channel: null, vip: yes}\n"
        "    tags: [smoke]\n"
        "    assert:\n"
        "      - {type: starts-with, value: Hello}\n"
        "      - {type: latency, threshold: 5000}\n"
    )


def suite_text(cases: int) -> str:
    return HEADER + "".join(case_text(i) for i in range(cases))


def load(repo: Path) -> Suite:
    return load_suite(agent_at(repo), load_config(repo))


def test_a_large_realistic_suite_loads_to_the_same_cases_as_through_the_node_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = agent_repo(tmp_path, suite_text(2000))

    def no_tree(text: str, path: Path) -> None:
        raise AssertionError(f"{path} went to the node-tree loader")

    with monkeypatch.context() as patch:  # the event reader takes the whole file itself
        patch.setattr(promptops.files, "parse_yaml_tree", no_tree)
        lean = load(repo)

    def unsupported(text: str) -> None:
        raise Unsupported("forced")

    monkeypatch.setattr(promptops.files, "load_values", unsupported)  # the previous loader
    reference = load(repo)
    assert len(lean.cases) == 2000 and lean.cases == reference.cases and lean == reference
    refund, shipping, turns = lean.cases[:3]
    assert refund.vars == {"customer_message": "Hi, I bought item 0 last week.\n  It arrived broken.\n"
                           "Can I get my money back?\n", "channel": "email"}  # fmt: skip
    assert [a.label for a in refund.assertions] == ["not-icontains", "not-icontains", "icontains", "regex"]
    folded = 'Where is my parcel? Tracking says "in transit" since day 2.\n'
    assert shipping.vars["customer_message"] == folded
    assert turns.metadata["added"].isoformat() == "2026-11-03" and turns.repeat == 2
    assert lean.cases[4].vars["vip"] is True and lean.cases[4].vars["channel"] is None


def test_a_duplicate_key_in_case_1500_of_2000_is_one_line_at_its_line(tmp_path: Path) -> None:
    text = suite_text(2000)
    lines = text.splitlines(keepends=True)
    start = lines.index("  - id: refund-01500\n")
    first_vars = start + 2  # 0-based index of "    vars:" in case 1500
    assert lines[first_vars] == "    vars:\n"
    # a second `vars:` written further down the same case, as a merge conflict leaves it
    lines.insert(start + 8, "    vars: {customer_message: duplicated}\n")
    repo = agent_repo(tmp_path, "".join(lines))
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo")
    assert result.exit_code == 2
    assert result.stderr == (
        f"promptops: {repo / AGENT_DIR}/evals/cases.yaml:{start + 9}:5: error: duplicate key 'vars' "
        f"(first at line {first_vars + 1}); YAML would silently keep only the last one\n"
    )
    lint = run_cli(repo, "lint")
    assert lint.exit_code == 1
    assert lint.stdout.startswith(f"{AGENT_DIR}/evals/cases.yaml:{start + 9}:5: PO001 duplicate key 'vars'")


def test_a_bad_value_deep_in_a_large_suite_is_reported_at_its_place(tmp_path: Path) -> None:
    text = suite_text(2000).replace("value: '(?i)order\\s+#?1500'", "value: '(?i)order[1500'")
    repo = agent_repo(tmp_path, text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "order[1500" in row)
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"promptops: {repo / AGENT_DIR}/evals/cases.yaml:{line}:30: error: "
        "cases[1500].assert[2].value: case 'refund-01500': regex: regex '(?i)order[1500' does not compile"
    )


PASSING = """\
cases:
  - id: mentions-policy
    vars: {customer_message: "Can I return this?"}
    assert: [{type: contains, value: refund policy}]
  - id: echoes-message
    vars: {customer_message: "order 1234"}
    assert: [{type: regex, value: 'order \\d{4}'}]
"""

# The HTTP stack loads with a provider's or the embeddings client's first request.
HEAVY = ("rich", "jsonschema", "git", "anthropic", "httpx2", "httpcore2")


def test_a_passing_run_prints_plain_lines_and_imports_no_table_schema_git_or_sdk_library(
    tmp_path: Path,
) -> None:
    repo = agent_repo(tmp_path, PASSING, {".gitignore": ".promptops/\n"})
    script = (
        "import sys\nfrom promptops.cli import main\n"
        "try:\n    main(['-C', sys.argv[1], 'eval', 'support-agent', '--provider', 'echo'])\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}), code, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(repo)], capture_output=True, text=True)
    assert result.stderr.strip() == "[] 0"
    lines = result.stdout.splitlines()
    assert lines[0] == "support-agent: all 2 cases passed (--all-cases shows every row)"
    assert lines[1].startswith("head: pass rate 100.0% (95% CI ")
    assert "┃" not in result.stdout and "\x1b[" not in result.stdout  # no table, no styling


def test_the_files_keep_every_case_while_the_terminal_shows_the_failing_one(tmp_path: Path) -> None:
    cases = PASSING + "  - id: too-polite\n    assert: [{type: not-icontains, value: refund policy}]\n"
    repo = agent_repo(tmp_path, cases.replace("    assert: [{type: not", "    vars: {customer_message: x}\n"
                                              "    assert: [{type: not"))  # fmt: skip
    out = tmp_path / "out"
    result = run_cli(
        repo, "eval", "support-agent", "--provider", "echo", "--min-pass-rate", "0",
        "--json", str(out / "run.json"), "--junit", str(out / "junit.xml"), "--markdown", str(out / "run.md"),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "too-polite" in result.stdout and "mentions-policy" not in result.stdout
    assert "2 passing cases not shown" in result.stdout
    exported = (out / "run.json").read_text()
    assert exported.count("\n") == 1 and '"case_id":"mentions-policy"' in exported  # compact, every case
    assert [r["case_id"] for r in json.loads(exported)["results"]] == [
        "mentions-policy",
        "echoes-message",
        "too-polite",
    ]
    junit = (out / "junit.xml").read_text()
    assert all(f'name="{name}#0"' in junit for name in ("mentions-policy", "echoes-message", "too-polite"))
    markdown = (out / "run.md").read_text()
    assert "| mentions-policy | pass | 1/1 |" in markdown and "| too-polite | fail | 0/1 |" in markdown


def test_a_cached_rerun_on_the_anthropic_provider_loads_no_sdk_and_prints_the_same(
    tmp_path: Path, anthropic_standin: AnthropicStandin
) -> None:
    anthropic_standin.reply = lambda request: Reply(text="Per our refund policy, order 1234 can be returned.")
    config = yaml.safe_dump({"provider": anthropic_provider_config(anthropic_standin)})
    repo = agent_repo(tmp_path, PASSING, {".promptops.yaml": config, ".gitignore": ".promptops/\n"})
    script = (
        "import sys\nfrom promptops.cli import main\n"
        "try:\n    main(['-C', sys.argv[1], 'eval', 'support-agent'])\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}), code, file=sys.stderr)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script, str(repo)], capture_output=True, text=True)
        for _ in range(2)
    ]
    assert runs[0].stderr.strip() == "['anthropic', 'httpcore2', 'httpx2'] 0"  # it called the model
    assert anthropic_standin.request_count == 2
    assert runs[1].stderr.strip() == "[] 0"  # every answer from the response cache
    assert anthropic_standin.request_count == 2
    first, again = (run.stdout.splitlines() for run in runs)
    assert (
        again[:2] == first[:2]
        and again[0] == "support-agent: all 2 cases passed (--all-cases shows every row)"
    )
    assert "2 from the response cache" in runs[1].stdout
