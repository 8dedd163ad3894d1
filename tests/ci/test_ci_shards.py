"""`promptops ci` for a pull request split across eval-shard jobs and one eval-merge job."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.ci import payloads
from tests.ci.conftest import AGENT, bodies, feature_branch, open_pull, run_event, write_config
from tests.standins.github_server import GitHubStandin

WITHOUT_REFUND = "You are a support agent. Be brief.\n"
SHARDED = {"provider": {"name": "echo", "model": "echo-1"}, "evals": {"shards": 3}}


def shard_jobs(repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin, payload: dict) -> Path:
    """Run the three eval-shard jobs; their run files land in one folder, as download-artifact puts them."""
    artifacts = repo.parent / "shard-runs"
    for i in (1, 2, 3):
        shutil.rmtree(repo / ".promptops" / "runs", ignore_errors=True)
        run = run_event(repo, monkeypatch, github, "pull_request", payload, PROMPTOPS_SHARD=f"{i}/3")
        assert run.result.exit_code == 0, run.err
        assert f"shard {i}/3 of support-agent: " in run.out, run.out
        shutil.copytree(repo / ".promptops" / "runs", artifacts / f"promptops-shard-{i}")
    assert bodies(github) == [] and github.statuses == {}  # shard jobs post nothing
    monkeypatch.delenv("PROMPTOPS_SHARD")  # the merge job is another job
    return artifacts


def test_shard_jobs_and_the_merge_job_report_what_one_job_would(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    payload = payloads.pull_request("opened", number, base_sha=base, head_sha=head)
    one_job = run_event(agent_repo, monkeypatch, github, "pull_request", payload)
    assert one_job.result.exit_code == 0, one_job.err
    [single] = bodies(github)
    github.comments.clear()
    github.statuses.clear()

    write_config(agent_repo, SHARDED)
    plain = run_event(agent_repo, monkeypatch, github, "pull_request", payload)
    assert plain.result.exit_code == 0, plain.err
    assert "evals.shards = 3: pull request #1 is evaluated by the workflow's eval-shard jobs" in plain.out
    assert bodies(github) == [] and github.statuses == {}  # never paid for twice
    artifacts = shard_jobs(agent_repo, monkeypatch, github, payload)

    merged = run_event(
        agent_repo, monkeypatch, github, "pull_request", payload, PROMPTOPS_MERGE_RUNS=str(artifacts)
    )

    assert merged.result.exit_code == 0, merged.err + merged.out
    [comment] = bodies(github)
    assert "### support-agent: **regression**" in comment
    assert "Measured on 8 samples (8 cases, repeat 1, split all) with claude-sonnet-5-5 via echo" in comment
    assert comment == single  # the same report, figures and verdict as one job
    status = github.latest_statuses(head)["promptops/eval"]
    assert (status["state"], status["description"]) == ("failure", "regression in support-agent")


def test_a_missing_shard_fails_closed(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    payload = payloads.pull_request("opened", number, base_sha=base, head_sha=head)
    (agent_repo / ".promptops.yaml").write_text(yaml.safe_dump(SHARDED), encoding="utf-8")
    artifacts = shard_jobs(agent_repo, monkeypatch, github, payload)
    shutil.rmtree(artifacts / "promptops-shard-2")  # that job was cancelled

    merged = run_event(
        agent_repo, monkeypatch, github, "pull_request", payload, PROMPTOPS_MERGE_RUNS=str(artifacts)
    )

    assert merged.result.exit_code == 0, merged.err
    status = github.latest_statuses(head)["promptops/eval"]
    assert (status["state"], status["description"]) == ("error", "could not evaluate support-agent")
    [comment] = bodies(github)
    assert "missing shard(s) 2 of 3" in comment
