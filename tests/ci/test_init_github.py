"""`promptops init --github`: the caller workflow (pins and lint: tests/repo/test_workflows.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import run_cli

WORKFLOW = ".github/workflows/promptops.yml"


def test_writes_the_caller_workflow(repo: Path) -> None:
    uses = "octo-org/promptops@0123456789abcdef0123456789abcdef01234567"
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
    assert triggers["issues"] == {"types": ["edited"]}  # the dashboard's boxes
    assert triggers["push"]["branches"] == ["main"]
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    assert flow["permissions"] == {}
    job = flow["jobs"]["command"]
    assert job["steps"][-1]["uses"] == uses
    assert "startsWith(github.event.comment.body, '/promptops')" in job["if"]
    assert job["steps"][-1]["with"]["anthropic-api-key"] == "${{ secrets.ANTHROPIC_API_KEY }}"
    dashboard = flow["jobs"]["dashboard"]
    assert "startsWith(github.event.issue.body, '<!-- promptops:dashboard -->')" in dashboard["if"]
    assert dashboard["concurrency"] == {
        "group": "promptops-dashboard-${{ github.event.issue.number }}",
        "cancel-in-progress": False,
    }


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
    assert bad.exit_code == 2 and "expected OWNER/REPO@SHA" in bad.stderr
    assert (repo / WORKFLOW).read_text() == "# edited\n"


def test_follows_the_default_branch_and_prompts_dir(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("prompts_dir: agents\ndefault_branch: trunk\n")
    assert run_cli(repo, "init", "--github").exit_code == 0
    triggers = yaml.safe_load((repo / WORKFLOW).read_text())[True]
    assert triggers["push"]["branches"] == ["trunk"]
    assert triggers["pull_request"]["paths"][0] == "agents/**"
