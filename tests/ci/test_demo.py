"""`promptops demo` in a temporary folder: the branch, note, PR body file and rollback it made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.gitrepo import git
from tests.standins.anthropic_server import AnthropicStandin

VARIANT = "promptops/support-agent/system/conciseness"


def test_demo_runs_the_whole_loop_offline(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "demo", "demo")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    work = tmp_path / "demo" / "repo"
    for title in (
        "promptops eval support-agent",
        "promptops optimize support-agent/system --goal conciseness",
        "promptops history support-agent/system",
        "promptops rollback support-agent/system --to v1",
    ):
        assert title in out
    assert "pass rate 100% (200 passed, 0 failed)" in out
    assert "confirmation (" in out and "recommendation: adopt" in out

    # the variant branch (not pushed: branch only) with its eval note
    assert git(work, "rev-parse", "--verify", VARIANT)
    assert git(tmp_path / "demo" / "origin.git", "branch", "--list", VARIANT) == ""
    note = json.loads(git(work, "notes", "--ref=promptops", "show", VARIANT))
    assert note["verdict"] == "improvement"
    trailers = git(work, "log", "-1", "--format=%(trailers:only)", VARIANT)
    assert "Promptops-Prompt: support-agent/system" in trailers
    base_text = git(work, "show", f"{VARIANT}~1:prompts/support-agent/system.md")
    variant_text = git(work, "show", f"{VARIANT}:prompts/support-agent/system.md")
    assert len(variant_text) < len(base_text) and "refund policy" in variant_text

    body = (tmp_path / "demo" / "pull-request.md").read_text()
    assert "improvement" in body and "support-agent/system" in body

    # merged as PR #1, deployment recorded on origin, history shows v2 then v1
    merge = git(work, "rev-parse", "main")
    assert git(work, "log", "-1", "--format=%s", merge).startswith("Merge pull request #1 from")
    deployed = json.loads(git(tmp_path / "demo" / "origin.git", "notes", "--ref=promptops", "show", merge))
    assert deployed["deployment"]["prompts"][0]["version"] == "v2"
    history = out[out.index("promptops history") : out.index("promptops rollback")]
    assert history.index("v2 ") < history.index("v1 ")

    # the rollback branch restores v1's text
    rollback_branch = git(
        work, "branch", "--list", "promptops/support-agent/system/rollback*", "--format=%(refname:short)"
    )
    assert rollback_branch
    assert git(work, "show", f"{rollback_branch}:prompts/support-agent/system.md") == base_text
    assert git(work, "status", "--porcelain") == ""  # the user's checkout is untouched


def test_demo_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine\n")
    result = run_cli(tmp_path, "demo", "busy")
    assert result.exit_code == 2
    assert "folder exists and is not empty" in result.stderr
    assert sorted(p.name for p in (tmp_path / "busy").iterdir()) == ["keep.txt"]


def test_demo_uses_the_model_when_a_key_is_set(
    tmp_path: Path, anthropic_standin: AnthropicStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_standin.url)  # the SDK's own variable
    result = run_cli(tmp_path, "demo", "with-model")
    assert result.exit_code == 0, result.stderr
    assert "evaluations use the real model (ANTHROPIC_API_KEY is set)" in result.stdout
    assert "with claude-sonnet-5-5 via anthropic" in result.stdout
    assert anthropic_standin.request_count >= 30  # every case went to the model
    # the stand-in's replies fail the cases, so the variant is not recommended, and the demo says so
    assert "a reviewer would not merge a variant that is not recommended" in result.stdout
    assert "rolled back to v1" in result.stdout


def test_demo_without_a_folder_never_reuses_an_earlier_demo(tmp_path: Path) -> None:
    (tmp_path / "promptops-demo").mkdir()
    (tmp_path / "promptops-demo" / "notes.txt").write_text("an earlier demo\n")
    result = run_cli(tmp_path, "demo")
    assert result.exit_code == 0, result.stderr
    assert f"done: everything is in {(tmp_path / 'promptops-demo-2').resolve()}" in result.stdout
    assert (tmp_path / "promptops-demo" / "notes.txt").read_text() == "an earlier demo\n"
    assert (tmp_path / "promptops-demo-2" / "pull-request.md").read_text().endswith(".\n")
