from pathlib import Path

import yaml

from promptops.config import DEFAULTS, load_config
from promptops.repo.agents import load_agent
from promptops.repo.scaffold import render_config
from promptops.schemas import schema_errors
from tests.conftest import run_cli


def test_init_scaffolds_a_working_example(repo: Path) -> None:
    (repo / "sub").mkdir()
    result = run_cli(repo / "sub", "init")
    assert result.exit_code == 0, result.stderr
    assert "wrote .promptops.yaml" in result.stdout.splitlines()
    assert "wrote prompts/support-agent/evals/cases.yaml" in result.stdout.splitlines()
    cfg = load_config(repo)
    assert cfg.source == repo / ".promptops.yaml" and cfg.data == DEFAULTS
    agent = load_agent(cfg, "support-agent")
    assert "{{customer_message}}" in agent.prompt("user_template").text
    assert [t.name for t in agent.tools] == ["lookup_order"]
    cases = yaml.safe_load((repo / "prompts/support-agent/evals/cases.yaml").read_text())["cases"]
    types = {a["type"] for case in cases for a in case["assert"]}
    assert types == {"contains", "icontains", "not-contains", "regex"}
    assert all(set(case) == {"id", "vars", "assert"} for case in cases)
    assert cases[2]["assert"][0]["value"] == r"\b5678\b"
    assert (repo / ".gitignore").read_text().endswith(".promptops/\n")
    lint = run_cli(repo, "lint", "--strict")
    assert (lint.exit_code, lint.stdout) == (0, "")
    listing = run_cli(repo, "list")
    assert listing.exit_code == 0 and "support-agent/tool:lookup_order" in listing.stdout


def test_commented_defaults_are_the_defaults_when_uncommented() -> None:
    body = render_config().splitlines()[2:]
    data = yaml.safe_load("\n".join(line[2:] for line in body))
    assert data == DEFAULTS
    assert schema_errors(data, "config") == []


def test_init_refuses_to_overwrite(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("prompts_dir: prompts\n")
    result = run_cli(repo, "init")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"promptops: {repo}: error: .promptops.yaml already exist; use --force to overwrite"
    )
    assert not (repo / "prompts").exists()
    assert (repo / ".promptops.yaml").read_text() == "prompts_dir: prompts\n"
    assert run_cli(repo, "init", "--force").exit_code == 0
    assert (repo / ".promptops.yaml").read_text().startswith("# promptops settings.")
    (repo / "prompts/support-agent/system.md").write_text("mine\n")
    assert run_cli(repo, "init").exit_code == 1
    assert (repo / "prompts/support-agent/system.md").read_text() == "mine\n"


def test_init_outside_git_uses_the_current_folder(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "init")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "prompts/support-agent/agent.yaml").is_file()
    assert (tmp_path / ".gitignore").read_text() == "# promptops caches and run records\n.promptops/\n"
