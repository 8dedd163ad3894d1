"""`promptops ci` on push (deployment records, deploy.command) and schedule / workflow_dispatch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ci import payloads
from tests.ci.conftest import AGENT, feature_branch, open_pull, run_event, write_config
from tests.conftest import run_cli
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin

NOTES = "refs/notes/promptops"


def merge_pull(repo: Path, number: int, eval_note: dict | None = None) -> tuple[str, str]:
    """(before, after): merge branch `feature` into main as GitHub's merge button does, push."""
    before = git(repo, "rev-parse", "main")
    if eval_note is not None:
        git(repo, "notes", f"--ref={NOTES}", "add", "-m", json.dumps(eval_note), "feature")
    git(
        repo, "merge", "-q", "--no-ff", "feature", "-m", f"Merge pull request #{number} from octo-org/feature"
    )
    git(repo, "push", "-q", "origin", "main")
    return before, git(repo, "rev-parse", "main")


def origin_note(repo: Path, commit_id: str) -> dict:
    return json.loads(git(repo.parent / "origin.git", "notes", f"--ref={NOTES}", "show", commit_id))


def test_push_records_the_deployment_and_runs_deploy_command(
    agent_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    feature_branch(agent_repo, {f"{AGENT}/system.md": "Follow the refund policy. Be brief.\n"})
    before, after = merge_pull(agent_repo, 12, {"verdict": "improvement", "pass_rate": 1.0})
    record = tmp_path / "deployed.txt"
    write_config(
        agent_repo,
        {
            "provider": {"name": "echo", "model": "echo-1"},
            "deploy": {
                "command": f'echo "$PROMPTOPS_CHANGED_PROMPTS at $PROMPTOPS_DEPLOY_COMMIT" > {record}; '
                "echo shipped"
            },
        },
    )
    run = run_event(agent_repo, monkeypatch, None, "push", payloads.push(before, after))
    assert run.result.exit_code == 0, run.err
    assert record.read_text() == f"support-agent/system at {after}\n"
    full_note = origin_note(agent_repo, after)
    assert full_note["verdict"] == "improvement"  # the PR's eval, where `promptops history` reads it
    note = full_note["deployment"]
    [deployed] = note["prompts"]
    assert deployed["prompt"] == "support-agent/system" and deployed["version"] == "v2"
    assert deployed["version_id"] == git(agent_repo, "hash-object", f"{AGENT}/system.md")
    assert deployed["pr"] == 12
    assert deployed["eval"] == {"verdict": "improvement", "pass_rate": 1.0}
    assert f"deployed support-agent/system v2 {deployed['version_id'][:12]} (PR #12)" in run.out
    assert "shipped" in run.out
    assert "deploy.command succeeded" in run.summary


def test_deploy_command_failure_fails_the_job(agent_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feature_branch(agent_repo, {f"{AGENT}/user.md": "Customer wrote: {{customer_message}}\n"})
    before, after = merge_pull(agent_repo, 13)
    write_config(agent_repo, {"deploy": {"command": "echo cannot reach the registry >&2; exit 3"}})
    run = run_event(agent_repo, monkeypatch, None, "push", payloads.push(before, after))
    assert run.result.exit_code == 1
    assert "promptops: deploy.command exited with status 3" in run.err
    assert "cannot reach the registry" in run.err
    # the record is written before the command runs: the deployment happened either way
    assert (
        origin_note(agent_repo, after)["deployment"]["prompts"][0]["prompt"] == "support-agent/user_template"
    )


def test_push_without_prompt_changes_and_other_branches(
    agent_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = git(agent_repo, "rev-parse", "main")
    after = commit(agent_repo, {"README.md": "more docs\n"}, "docs", push=True)
    run = run_event(agent_repo, monkeypatch, None, "push", payloads.push(before, after))
    assert (run.result.exit_code, run.out.strip()) == (0, "push to main changed no prompt; nothing deployed")
    run = run_event(agent_repo, monkeypatch, None, "push", payloads.push(before, after, ref="refs/heads/dev"))
    assert run.result.exit_code == 0 and "not the default branch" in run.out
    run = run_event(agent_repo, monkeypatch, None, "push", payloads.push(before, "0" * 40, deleted=True))
    assert run.result.exit_code == 0 and "deleted" in run.out


def test_schedule_stops_at_max_open_prs(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    feature_branch(agent_repo, {f"{AGENT}/system.md": "v\n"}, name="promptops/support-agent/system/clarity")
    open_pull(github, "promptops/support-agent/system/clarity")
    write_config(
        agent_repo,
        {
            "provider": {"name": "echo", "model": "echo-1"},
            "github": {"max_open_prs": 1},
            "schedule": {"prompts": [{"prompt": "support-agent/system", "goal": "conciseness"}]},
        },
    )
    run = run_event(agent_repo, monkeypatch, github, "schedule", payloads.schedule())
    assert run.result.exit_code == 0, run.err
    assert (
        "1 promptops pull requests are open (github.max_open_prs = 1); stopped before support-agent/system"
        in run.out
    )
    assert not (agent_repo / ".promptops" / "sessions").exists()  # nothing was optimized
    assert len(github.pulls) == 1


def test_schedule_picks_agents_below_min_pass_rate(agent_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from promptops.bot.schedule import scheduled_targets
    from promptops.config import load_config

    write_config(
        agent_repo, {"provider": {"name": "echo", "model": "echo-1"}, "schedule": {"min_pass_rate": 0.9}}
    )
    targets, notes = scheduled_targets(load_config(agent_repo))
    assert targets == [] and notes == ["support-agent: no eval run in .promptops/runs; pass rate not checked"]
    (agent_repo / AGENT / "system.md").write_text("Be brief.\n")  # every case now fails
    run_cli(agent_repo, "eval", "support-agent")
    assert list((agent_repo / ".promptops" / "runs").glob("*.json"))
    targets, notes = scheduled_targets(load_config(agent_repo))
    assert [(t.prompt_id, t.goal) for t in targets] == [("support-agent/system", "accuracy")]
    assert "last pass rate 0% < schedule.min_pass_rate 90%" in targets[0].reason
