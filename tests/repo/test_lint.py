import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.gitrepo import write_files
from tests.repo.samples import AGENT_YAML, CASES, support_agent

AGENT = "prompts/support-agent"


@pytest.fixture
def lint_repo(agent_repo: Path) -> Path:
    return agent_repo


def lint(repo: Path, *args: str) -> tuple[int, list[str]]:
    result = run_cli(repo, "lint", *args)
    return result.exit_code, result.stdout.splitlines()


def test_clean_agent_passes(lint_repo: Path) -> None:
    result = run_cli(lint_repo, "lint")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.strip() == "0 errors, 0 warnings"


def test_text_findings_are_warnings_unless_strict(lint_repo: Path) -> None:
    write_files(
        lint_repo,
        {
            f"{AGENT}/system.md": "Follow the refund policy.\t\n"
            "Never promise a date. Never  promise a date!\n",
            f"{AGENT}/user.md": "{{customer_message}} about {{ order_id }}\n",
            f"{AGENT}/evals/cases.yaml": CASES.replace(
                "{customer_message: hi}", "{customer_message: hi, order_id: 7}"
            ),
        },
    )
    code, lines = lint(lint_repo)
    assert code == 0
    assert lines == [
        f"{AGENT}/system.md:1:26: PO302 trailing whitespace",
        f"{AGENT}/system.md:2:23: PO301 duplicated sentence (first at line 2)",
        f"{AGENT}/user.md:1:28: PO201 variable {{{{order_id}}}} is not declared in invariants.variables",
    ]
    assert lint(lint_repo, "--strict")[0] == 1


def test_invariant_errors_point_into_agent_yaml(lint_repo: Path) -> None:
    yaml = AGENT_YAML.replace("[customer_message]", "[customer_message, tone]").replace("800", "10")
    write_files(lint_repo, {f"{AGENT}/agent.yaml": yaml, f"{AGENT}/system.md": "You help customers.\n"})
    code, lines = lint(lint_repo)
    assert code == 1
    assert (
        lines[0]
        == f"{AGENT}/agent.yaml:10:29: PO203 must_contain phrase 'refund policy' is in none of the prompts"
    )
    assert (
        lines[1]
        == f"{AGENT}/agent.yaml:10:77: PO202 variable 'tone' is declared but the user template never uses it"
    )
    assert lines[2].startswith(f"{AGENT}/agent.yaml:10:96: PO204 prompts use ")
    assert lines[2].endswith("tokens, over the budget of 10")


def test_schema_errors_are_all_reported_with_json_paths(lint_repo: Path) -> None:
    yaml = AGENT_YAML.replace("description_file: tools/lookup_order.md", "description_file: 3")
    yaml = yaml.replace("model: claude-sonnet-5-5", "model: claude\nmodle: x")
    write_files(lint_repo, {f"{AGENT}/agent.yaml": yaml})
    code, lines = lint(lint_repo)
    assert code == 1
    assert lines[0].startswith(
        f"{AGENT}/agent.yaml:1:1: PO101 Additional properties are not allowed ('modle'"
    )
    assert lines[1] == f"{AGENT}/agent.yaml:8:23: PO101 tools[0].description_file: expected string, got int 3"


def test_missing_files_and_escaping_paths(lint_repo: Path) -> None:
    yaml = AGENT_YAML.replace("user.md", "../../outside.md").replace("evals/cases.yaml", "evals/none.yaml")
    write_files(lint_repo, {f"{AGENT}/agent.yaml": yaml})
    (lint_repo / AGENT / "tools/lookup_order.md").unlink()
    system = lint_repo / AGENT / "system.md"
    system.unlink()
    os.symlink(lint_repo / "README.md", system)
    code, lines = lint(lint_repo)
    assert code == 1
    assert lines == [
        f"{AGENT}/agent.yaml:4:45: PO103 prompts.user_template: '../../outside.md' "
        "is not a path inside the agent folder",
        f"{AGENT}/agent.yaml:7:23: PO102 tools[0].description_file: "
        "file tools/lookup_order.md does not exist",
        f"{AGENT}/agent.yaml:11:8: PO102 evals: file evals/none.yaml does not exist",
        f"{AGENT}/system.md:1:1: PO103 refusing to read outside the prompts folder "
        f"{lint_repo / 'prompts'} (symlink to {lint_repo / 'README.md'})",
    ]


def test_malformed_yaml_and_non_utf8_files(lint_repo: Path) -> None:
    write_files(
        lint_repo,
        {
            f"{AGENT}/examples.yaml": "- user: [unclosed\n",
            f"{AGENT}/system.md": b"refund policy \xe9t\xe9\n",
            "prompts/other/agent.yaml": "prompts: {system: s.md\n",
        },
    )
    code, lines = lint(lint_repo)
    assert code == 1
    assert lines == [
        "prompts/other/agent.yaml:2:1: PO001 did not find expected ',' or '}'",
        f"{AGENT}/examples.yaml:2:1: PO001 did not find expected ',' or ']'",
        f"{AGENT}/system.md:1:15: PO002 not valid UTF-8 (invalid continuation byte)",
    ]


def test_examples_schema_and_missing_agent_yaml(lint_repo: Path) -> None:
    write_files(lint_repo, {f"{AGENT}/examples.yaml": "- user: hi\n", "prompts/drafts/notes.md": "x\n"})
    code, lines = lint(lint_repo)
    assert lines == [
        "prompts/drafts:1:1: PO401 no agent.yaml: not an agent",
        f"{AGENT}/examples.yaml:1:3: PO105 [0]: 'assistant' is a required property",
    ]
    assert code == 1


def test_paths_select_agents_and_json_output(lint_repo: Path) -> None:
    write_files(lint_repo, {"prompts/other/agent.yaml": "prompts: {system: missing.md}\n"})
    assert lint(lint_repo, f"{AGENT}/system.md") == (0, [])
    assert lint(lint_repo, "prompts/other")[0] == 1
    result = run_cli(lint_repo / "prompts", "lint", "--json")
    data = json.loads(result.stdout)
    assert data == [
        {
            "path": "other/agent.yaml",
            "line": 1,
            "column": 19,
            "code": "PO102",
            "severity": "error",
            "message": "prompts.system: file missing.md does not exist",
        }
    ]


def test_paths_outside_the_repository_are_refused(lint_repo: Path, tmp_path: Path) -> None:
    result = run_cli(lint_repo, "lint", str(tmp_path))
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"promptops: {tmp_path}: error: outside the repository {lint_repo}; refusing to lint it"
    )
    os.symlink(tmp_path, lint_repo / "escape")
    result = run_cli(lint_repo, "lint", "escape")
    assert result.exit_code == 2 and "outside the repository" in result.stderr
    result = run_cli(lint_repo, "lint", "nope")
    assert result.exit_code == 2 and "nope: error: no such file or folder" in result.stderr


def test_agent_folder_symlinked_out_of_the_prompts_folder(lint_repo: Path, tmp_path: Path) -> None:
    write_files(tmp_path / "outside", support_agent("elsewhere"))
    os.symlink(tmp_path / "outside/elsewhere", lint_repo / "prompts/evil")
    code, lines = lint(lint_repo)
    assert code == 1
    assert lines == [
        f"prompts/evil/agent.yaml:1:1: PO103 refusing to read outside the prompts folder "
        f"{lint_repo / 'prompts'} (symlink to {tmp_path / 'outside/elsewhere/agent.yaml'})"
    ]


def test_non_utf8_agent_yaml(lint_repo: Path) -> None:
    write_files(lint_repo, {f"{AGENT}/agent.yaml": b"prompts: {system: s\xe9.md}\n"})
    assert lint(lint_repo) == (
        1,
        [f"{AGENT}/agent.yaml:1:20: PO002 not valid UTF-8 (invalid continuation byte)"],
    )
