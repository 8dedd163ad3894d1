"""Strict YAML and text everywhere a user writes them (issue 14, item 3).

Duplicate keys, byte-order marks, empty prompt files and malformed `{{ }}` placeholders,
through the commands a user runs: lint, eval (against the anthropic SDK stand-in), list.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from promptops.config import load_config
from promptops.repo.agents import load_agent
from tests.conftest import run_cli
from tests.gitrepo import commit, write_files
from tests.repo.samples import AGENT_YAML, CASES
from tests.standins.anthropic_server import AnthropicStandin
from tests.standins.fixtures import anthropic_provider_config

AGENT = "prompts/support-agent"
BOM = "\ufeff"


def lint_lines(repo: Path) -> tuple[int, list[str]]:
    result = run_cli(repo, "lint")
    return result.exit_code, result.stdout.splitlines()


def test_duplicate_prompt_slot_is_an_error_at_the_second_key(agent_repo: Path) -> None:
    # last-one-wins would have made user.md the system prompt
    duplicated = AGENT_YAML.replace(
        "prompts: {system: system.md, user_template: user.md}",
        "prompts:\n  system: system.md\n  user_template: user.md\n  system: user.md",
    )
    write_files(agent_repo, {f"{AGENT}/agent.yaml": duplicated})
    result = run_cli(agent_repo, "list")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"promptops: {agent_repo / AGENT}/agent.yaml:7:3: error: duplicate key 'system' "
        "(first at line 5); YAML would silently keep only the last one"
    )
    code, lines = lint_lines(agent_repo)
    assert code == 1
    assert lines[0].startswith(f"{AGENT}/agent.yaml:7:3: PO001 duplicate key 'system' (first at line 5)")


def test_duplicate_id_in_a_case_is_reported_at_the_duplicate(agent_repo: Path) -> None:
    cases = "cases:\n  - id: greet\n    vars: {customer_message: hi}\n    id: greet-again\n"
    write_files(agent_repo, {f"{AGENT}/evals/cases.yaml": cases})
    code, lines = lint_lines(agent_repo)
    assert code == 1
    assert lines == [
        f"{AGENT}/evals/cases.yaml:4:5: PO001 duplicate key 'id' (first at line 2); "
        "YAML would silently keep only the last one"
    ]
    result = run_cli(agent_repo, "eval", "support-agent", "--provider", "echo")
    assert result.exit_code == 2
    assert "cases.yaml:4:5: error: duplicate key 'id'" in result.stderr


def test_duplicate_case_ids_point_at_the_second_case(agent_repo: Path) -> None:
    cases = (
        "cases:\n"
        "  - id: greet\n    vars: {customer_message: hi}\n"
        "  - id: other\n    vars: {customer_message: yo}\n"
        "  - id: greet\n    vars: {customer_message: hello}\n"
    )
    write_files(agent_repo, {f"{AGENT}/evals/cases.yaml": cases})
    assert lint_lines(agent_repo)[1] == [
        f"{AGENT}/evals/cases.yaml:6:9: PO502 cases[2].id: duplicate case id 'greet' (first used at cases[0])"
    ]
    result = run_cli(agent_repo, "eval", "support-agent", "--provider", "echo")
    assert (result.exit_code, result.stderr.split(": error: ")[0].rsplit("/", 1)[-1]) == (2, "cases.yaml:6:9")


def test_duplicate_keys_in_config_examples_and_json(agent_repo: Path, tmp_path: Path) -> None:
    write_files(agent_repo, {".promptops.yaml": "provider:\n  name: echo\n  name: anthropic\n"})
    result = run_cli(agent_repo, "list")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"promptops: {agent_repo}/.promptops.yaml:3:3: error: duplicate key 'name' (first at line 2); "
        "YAML would silently keep only the last one",
    )
    (agent_repo / ".promptops.yaml").unlink()
    write_files(agent_repo, {f"{AGENT}/examples.yaml": "- user: a\n  assistant: b\n  user: c\n"})
    assert lint_lines(agent_repo)[1][0].startswith(f"{AGENT}/examples.yaml:3:3: PO001 duplicate key 'user'")
    config = tmp_path / "agent.json"
    config.write_text('{\n  "system_prompt": "A",\n  "system_prompt": "B"\n}\n', encoding="utf-8")
    result = run_cli(agent_repo, "extract", str(config), "--agent", "dup")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"promptops: {config}:3:3: error: duplicate key 'system_prompt'")
    assert not (agent_repo / "prompts/dup").exists()


def test_merge_keys_may_override_what_they_merge(agent_repo: Path) -> None:
    cases = (
        "defaults: {vars: {customer_message: hi}}\n"
        "base: &base {type: contains, value: hi}\n"
        "cases:\n  - id: greet\n    assert:\n      - {<<: *base, value: hello}\n"
    )
    write_files(agent_repo, {f"{AGENT}/evals/cases.yaml": cases})
    # the stray top-level `base` key is a schema finding, not a duplicate-key one
    assert lint_lines(agent_repo)[1] == [
        f"{AGENT}/evals/cases.yaml:1:1: PO501 Additional properties are not allowed ('base' was unexpected) "
        "(allowed: cases, defaults, description)"
    ]


def test_bom_is_stripped_everywhere_and_never_sent(
    agent_repo: Path, anthropic_standin: AnthropicStandin, tmp_path: Path
) -> None:
    config = yaml.safe_dump({"provider": anthropic_provider_config(anthropic_standin)})
    commit(
        agent_repo,
        {
            ".promptops.yaml": (BOM + config).encode("utf-8"),
            f"{AGENT}/agent.yaml": (BOM + AGENT_YAML).encode("utf-8"),
            f"{AGENT}/system.md": (BOM + "You are a support agent. Follow the refund policy.\n").encode(),
            f"{AGENT}/user.md": (BOM + "Customer says: {{customer_message}}\n").encode(),
            f"{AGENT}/evals/cases.yaml": (BOM + CASES).encode("utf-8"),
        },
        "files saved by a Windows editor",
    )
    assert lint_lines(agent_repo) == (0, [])
    result = run_cli(agent_repo, "eval", "support-agent", "--no-cache")
    assert result.exit_code == 0, result.stderr
    sent = json.dumps(anthropic_standin.requests, ensure_ascii=False)
    assert anthropic_standin.requests and BOM not in sent
    assert anthropic_standin.requests[0]["system"].startswith("You are a support agent.")
    # the version id is still the git blob id of the file as stored, BOM included
    prompt = load_agent(load_config(agent_repo), "support-agent").prompts["system"]
    blob = subprocess.run(
        ["git", "hash-object", f"{AGENT}/system.md"],
        cwd=agent_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert (prompt.version_id, prompt.text[0]) == (blob, "Y")
    # and JSON, which forbids a BOM, reads like YAML does
    source = tmp_path / "agent.json"
    source.write_bytes((BOM + json.dumps({"system_prompt": "Be brief."})).encode("utf-8"))
    assert run_cli(agent_repo, "extract", str(source), "--agent", "from-json").exit_code == 0
    assert (agent_repo / "prompts/from-json/system.md").read_bytes() == b"Be brief."


def test_empty_prompt_file_is_an_error(agent_repo: Path) -> None:
    write_files(agent_repo, {f"{AGENT}/system.md": "  \n"})
    result = run_cli(agent_repo, "eval", "support-agent", "--provider", "echo")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"promptops: {agent_repo / AGENT}/system.md:1:1: error: the prompt file is empty; "
        "write the prompt, or remove the file from agent.yaml",
    )
    code, lines = lint_lines(agent_repo)
    assert code == 1
    assert (
        f"{AGENT}/system.md:1:1: PO106 the prompt file is empty; "
        "write the prompt, or remove the file from agent.yaml" in lines
    )


def test_malformed_placeholders_are_lint_errors_and_never_sent(agent_repo: Path) -> None:
    write_files(
        agent_repo,
        {f"{AGENT}/user.md": "Customer says: {{customer_message}}\nOrder: {{ order id }}\nTone: {{tone\n"},
    )
    code, lines = lint_lines(agent_repo)
    assert code == 1
    assert lines == [
        f"{AGENT}/user.md:2:8: PO205 malformed placeholder '{{{{ order id }}}}': expected {{{{name}}}} "
        "with a name of letters, digits and '_' (no spaces, filters or dots)",
        f"{AGENT}/user.md:3:7: PO205 unclosed placeholder '{{{{tone': expected {{{{name}}}}",
    ]
    result = run_cli(agent_repo, "eval", "support-agent", "--provider", "echo", "--no-cache")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.strip() == (
        f"promptops: {AGENT}/user.md:2:8: error: malformed placeholder '{{{{ order id }}}}': expected "
        "{{name}} with a name of letters, digits and '_' (no spaces, filters or dots)"
    )


def test_lint_checks_the_eval_cases_file(agent_repo: Path) -> None:
    cases = (
        "defaults:\n  assert: [{type: regex, value: '(unclosed'}]\n"
        "cases:\n"
        "  - id: greet\n    vars: {customer_message: hi}\n"
        "    assert:\n      - {type: icontain, value: hi}\n      - {type: is-json, value: {type: objekt}}\n"
        "  - id: late\n    vars: {order: 7}\n    assert: [{type: contains, value: '{{order_id}}'}]\n"
        "  - id: Bad id!\n"
    )
    write_files(agent_repo, {f"{AGENT}/evals/cases.yaml": cases})
    code, lines = lint_lines(agent_repo)
    assert code == 1
    # a schema violation stops the deeper checks: they would only guess at the structure
    assert lines == [
        f"{AGENT}/evals/cases.yaml:12:9: PO501 cases[2].id: "
        "'Bad id!' does not match '^[A-Za-z0-9][A-Za-z0-9_.:-]*$'"
    ]
    write_files(agent_repo, {f"{AGENT}/evals/cases.yaml": cases.replace("  - id: Bad id!\n", "")})
    code, lines = lint_lines(agent_repo)
    prefix = f"{AGENT}/evals/cases.yaml"
    assert [line.split(" ", 2)[:2] for line in lines] == [
        [f"{prefix}:2:33:", "PO503"],
        [f"{prefix}:7:16:", "PO503"],
        [f"{prefix}:8:32:", "PO503"],
        [f"{prefix}:10:11:", "PO504"],
        [f"{prefix}:11:38:", "PO503"],
    ]
    assert "defaults.assert[0].value: case 'greet': regex: regex '(unclosed' does not compile" in lines[0]
    assert "is-json: invalid JSON Schema" in lines[2]
    assert "unknown assertion type 'icontain'" in lines[1]
    assert "case 'late' lacks var 'customer_message', which the user_template uses" in lines[3]
    assert "uses var 'order_id', which the case does not set" in lines[4]


def test_runtime_reads_deployed_files_as_promptops_checked_them(agent_repo: Path) -> None:
    from promptops.runtime import PromptStore, PromptStoreError

    write_files(agent_repo, {f"{AGENT}/system.md": (BOM + "Follow the refund policy.\n").encode("utf-8")})
    system = PromptStore(agent_repo / "prompts").get("support-agent/system")
    stored = (agent_repo / AGENT / "system.md").read_bytes()
    expected_id = load_agent(load_config(agent_repo), "support-agent").prompts["system"].version_id
    assert (system.text, system.version_id) == ("Follow the refund policy.\n", expected_id)
    assert stored.startswith(BOM.encode("utf-8"))
    write_files(agent_repo, {f"{AGENT}/agent.yaml": AGENT_YAML + "model: other\n"})
    problem = (
        f"{agent_repo / AGENT}/agent.yaml:12:1: error: duplicate key 'model' "
        "(first at line 2); YAML would silently keep only the last one"
    )
    with pytest.raises(PromptStoreError) as at_start:  # a deploy check
        PromptStore(agent_repo / "prompts", strict=True)
    assert str(at_start.value) == problem
    with pytest.raises(PromptStoreError) as serving:  # a running agent: only this agent is refused
        PromptStore(agent_repo / "prompts").get("support-agent/system")
    assert str(serving.value) == f"support-agent/system: agent support-agent is not served: {problem}"


def test_an_empty_prompt_given_on_the_command_line_is_refused(agent_repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "system.md"
    empty.write_text("\n", encoding="utf-8")
    result = run_cli(agent_repo, "eval", "support-agent", "--provider", "echo", "--prompt", f"system={empty}")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"promptops: {empty}:1:1: error: the prompt file is empty; write the prompt, or remove the file "
        f"from agent.yaml (given as --prompt system={empty})",
    )


def test_extract_refuses_a_template_with_a_malformed_placeholder(agent_repo: Path, tmp_path: Path) -> None:
    source = tmp_path / "agent.yaml"
    source.write_text("system_prompt: Be brief.\nuser_template: |\n  Hi {{name}}.\n  Order {{ order id }}\n")
    result = run_cli(agent_repo, "extract", str(source), "--agent", "brief")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"promptops: {source}:2:16: error: user_template: malformed placeholder '{{{{ order id }}}}': "
        "expected {{name}} with a name of letters, digits and '_' (no spaces, filters or dots) "
        "(template line 2, column 7)",
    )
    assert not (agent_repo / "prompts/brief").exists()
