"""The workflows promptops ships and writes: pinned, least-privileged, lint-clean.

Covers the reusable workflow, the composite action, this project's CI workflow, and both
shapes of the caller workflow `promptops init --github` writes (the action pinned by
commit, or the distribution pinned by version).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptops import __version__
from promptops.repo.workflow import DISTRIBUTION
from tests.conftest import run_cli
from tests.workflow_lint import PROJECT, actionlint, check_schema

WORKFLOW = ".github/workflows/promptops.yml"
ACTION_SHA = "0123456789abcdef0123456789abcdef01234567"
PINNED = re.compile(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}")
EXACT_VERSION = re.compile(r"[A-Za-z0-9][\w.-]*==[\w.+!-]+")


def all_uses(document: Any) -> list[str]:
    """Every `uses:` value anywhere in a workflow or action."""
    if isinstance(document, dict):
        found = [v for k, v in document.items() if k == "uses" and isinstance(v, str)]
        return found + [u for v in document.values() for u in all_uses(v)]
    if isinstance(document, list):
        return [u for v in document for u in all_uses(v)]
    return []


def all_runs(document: Any) -> list[str]:
    if isinstance(document, dict):
        found = [v for k, v in document.items() if k == "run" and isinstance(v, str)]
        return found + [r for v in document.values() for r in all_runs(v)]
    if isinstance(document, list):
        return [r for v in document for r in all_runs(v)]
    return []


def pin_problems(text: str) -> list[str]:
    """`uses:` not pinned by a 40-hex SHA, and `pip install` of a package by bare name."""
    document = yaml.safe_load(text)
    problems = [f"uses {u}" for u in all_uses(document) if not (u.startswith("./") or PINNED.fullmatch(u))]
    for script in all_runs(document):
        for line in script.splitlines():
            words = shlex.split(line, comments=True) if "pip" in line else []
            if "install" not in words or not any(w.endswith("pip") or w == "pip" for w in words):
                continue
            for word in words[words.index("install") + 1 :]:
                is_path = word.startswith(("$", ".", "/"))
                if not (word.startswith("-") or is_path or EXACT_VERSION.fullmatch(word)):
                    problems.append(f"pip install {word}")
    return problems


def written_workflow(repo: Path, *args: str) -> str:
    result = run_cli(repo, "init", "--github", "--force", *args)
    assert result.exit_code == 0, result.stderr
    return (repo / WORKFLOW).read_text()


def test_the_pin_check_catches_tags_and_bare_names() -> None:
    old = (
        "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n"
        '      - run: python -m pip install "$PROMPTOPS_PACKAGE" promptops\n'
    )
    assert pin_problems(old) == ["uses actions/checkout@v4", "pip install promptops"]


def test_every_uses_is_pinned_and_no_step_installs_a_bare_name(repo: Path) -> None:
    texts = {
        "reusable": (PROJECT / WORKFLOW).read_text(),
        "ci": (PROJECT / ".github/workflows/ci.yml").read_text(),
        "action": (PROJECT / "action.yml").read_text(),
        "caller with --uses": written_workflow(repo, "--uses", f"octo-org/promptops@{ACTION_SHA}"),
        "caller without --uses": written_workflow(repo),
    }
    for name, text in texts.items():
        assert pin_problems(text) == [], name
        assert "persist-credentials: true" not in text, name
    assert f'pip install "{DISTRIBUTION}=={__version__}"' in texts["caller without --uses"]
    assert 'pip install --quiet "$PROMPTOPS_SOURCE"' in texts["action"]
    assert "PROMPTOPS_SOURCE: ${{ github.action_path }}" in texts["action"]


def test_caller_runs_the_action_pinned_by_commit_in_every_job(repo: Path) -> None:
    flow = yaml.safe_load(written_workflow(repo, "--uses", f"octo-org/promptops@{ACTION_SHA}"))
    assert flow["permissions"] == {}
    jobs = flow["jobs"]
    assert set(jobs) == {"evaluate", "declined", "command", "deploy", "optimize", "dashboard"}
    for name, job in jobs.items():
        steps = job["steps"]
        assert steps[0]["with"] == {"fetch-depth": 0, "persist-credentials": False}, name
        assert steps[-1]["uses"] == f"octo-org/promptops@{ACTION_SHA}", name
    # Least privilege per event: judging a PR cannot push; a deploy record never sees the model key.
    assert jobs["evaluate"]["permissions"]["contents"] == "read"
    assert jobs["evaluate"]["permissions"]["checks"] == "write"
    assert jobs["deploy"]["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "read"}
    assert jobs["dashboard"]["permissions"]["issues"] == "write"
    assert "anthropic-api-key" not in jobs["deploy"]["steps"][-1]["with"]
    assert "ANTHROPIC_API_KEY" in jobs["evaluate"]["steps"][-1]["with"]["anthropic-api-key"]


def test_concurrency_and_the_comment_filter(repo: Path) -> None:
    jobs = yaml.safe_load(written_workflow(repo))["jobs"]
    evaluate, command, deploy = jobs["evaluate"], jobs["command"], jobs["deploy"]
    assert evaluate["concurrency"] == {
        "group": "promptops-evaluate-${{ github.event.pull_request.number }}",
        "cancel-in-progress": True,
    }
    # A push to the PR never cancels a comment-driven run; every push is recorded.
    assert command["concurrency"]["cancel-in-progress"] is False
    assert "comment.id" in command["concurrency"]["group"]
    assert deploy["concurrency"] == {
        "group": "promptops-deploy-${{ github.sha }}",
        "cancel-in-progress": False,
    }
    for association in ("OWNER", "MEMBER", "COLLABORATOR"):
        assert association in command["if"]
    assert "github.event.comment.author_association" in command["if"]
    assert "startsWith(github.event.comment.body, '/promptops')" in command["if"]
    # Jobs that open pull requests can use a GitHub App token.
    app_step = command["steps"][1]
    assert app_step["uses"].startswith("actions/create-github-app-token@")
    assert app_step["with"]["private-key"] == "${{ secrets.PROMPTOPS_APP_PRIVATE_KEY }}"
    assert "steps.app-token.outputs.token" in command["steps"][-1]["env"]["GITHUB_TOKEN"]


def test_a_tag_needs_allow_tag_and_warns(repo: Path) -> None:
    written_workflow(repo)
    before = (repo / WORKFLOW).read_text()
    for bad in ("octo-org/promptops@v1.2.0", "octo-org/promptops/.github/workflows/promptops.yml@v1", "x"):
        refused = run_cli(repo, "init", "--github", "--force", "--uses", bad)
        assert refused.exit_code == 2, bad
        assert "40-hex commit SHA" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert (repo / WORKFLOW).read_text() == before
    tag = "octo-org/promptops@v1.2.0"
    tagged = run_cli(repo, "init", "--github", "--force", "--uses", tag, "--allow-tag")
    assert tagged.exit_code == 0
    assert "warning: octo-org/promptops@v1.2.0 is pinned by a mutable tag" in tagged.stderr
    assert "uses: octo-org/promptops@v1.2.0" in (repo / WORKFLOW).read_text()


@pytest.mark.parametrize("shape", ["action", "version"])
def test_written_and_shipped_workflows_pass_actionlint_and_the_schema(repo: Path, shape: str) -> None:
    args = ("--uses", f"octo-org/promptops@{ACTION_SHA}") if shape == "action" else ()
    written_workflow(repo, *args)
    files = [repo / WORKFLOW, PROJECT / WORKFLOW, PROJECT / ".github/workflows/ci.yml"]
    assert "3 files, 0 problems" in actionlint(*files)
    check_schema("vendor.github-workflows", *files)
    check_schema("vendor.github-actions", PROJECT / "action.yml")
