"""`promptops ci` on pull_request events, against the GitHub stand-in and a bare origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci import payloads
from tests.ci.conftest import AGENT, bodies, feature_branch, open_pull, run_event, write_config
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin

WITHOUT_REFUND = "You are a support agent. Be brief.\n"


def pr_payload(number: int, base: str, head: str, **kw: object) -> dict:
    return payloads.pull_request("opened", number, base_sha=base, head_sha=head, **kw)


def test_regression_gets_one_sticky_comment_and_a_failure_status(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    run = run_event(agent_repo, monkeypatch, github, "pull_request", pr_payload(number, base, head))
    assert run.result.exit_code == 0, run.err
    [comment] = bodies(github)
    assert comment.startswith("<!-- promptops:report eval -->")
    assert "### support-agent: **regression**" in comment
    assert "Measured on 8 samples (8 cases, repeat 1, split all) with claude-sonnet-5-5 via echo" in comment
    assert "| pass rate | 100.0% | 0.0% | -100.0 pts |" in comment
    # at a glance: a red alert, the cases folded (regressions first), the run that produced it
    assert "> [!CAUTION]\n> **Verdict (accuracy): regression" in comment
    assert "<details>\n<summary>Per-case results (8 cases, 8 newly failing)</summary>" in comment
    assert "[this workflow run](https://github.example/octo-org/agents/actions/runs/4242)." in comment
    status = github.latest_statuses(head)["promptops/eval"]
    assert status["state"] == "failure"
    assert status["description"] == "regression in support-agent"
    check = github.latest_check_runs(head)["promptops/eval"]
    assert (check["conclusion"], check["output"]["title"]) == ("failure", "regression in support-agent")
    assert "### support-agent: **regression**" in check["output"]["summary"]
    assert status["target_url"] == "https://github.example/octo-org/agents/actions/runs/4242"
    assert "promptops/eval on" in run.out and "failure" in run.out
    assert "support-agent: **regression**" in run.summary

    # a new push to the PR: the same comment is edited, not a second one posted
    git(agent_repo, "checkout", "-q", "feature")
    head2 = commit(agent_repo, {f"{AGENT}/system.md": "Follow the refund policy. Be brief.\n"}, "fix")
    git(agent_repo, "push", "-q", "origin", "feature")
    git(agent_repo, "checkout", "-q", "main")
    payload = payloads.pull_request("synchronize", number, base_sha=base, head_sha=head2)
    run = run_event(agent_repo, monkeypatch, github, "pull_request", payload)
    assert run.result.exit_code == 0, run.err
    [comment] = bodies(github)
    assert "### support-agent: **inconclusive**" in comment
    assert "> [!NOTE]\n> **Verdict" in comment
    # inconclusive is neutral by default: GitHub lets it pass a required check
    assert github.latest_check_runs(head2)["promptops/eval"]["conclusion"] == "neutral"
    assert github.latest_statuses(head2)["promptops/eval"]["state"] == "success"
    assert len(github.calls("issues/update-comment")) == 1


def test_merge_base_not_base_tip_is_compared(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """main moving on after the branch was made must not show up as the PR's change."""
    base, head = feature_branch(agent_repo, {"README.md": "docs only\n"})
    commit(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND}, "main changes the prompt", push=True)
    tip = git(agent_repo, "rev-parse", "main")
    number = open_pull(github, "feature")
    run = run_event(agent_repo, monkeypatch, github, "pull_request", pr_payload(number, tip, head))
    assert run.result.exit_code == 0, run.err
    assert run.out.strip() == f"pull request #{number} changes nothing under prompts/; nothing to evaluate"
    assert bodies(github) == [] and github.statuses == {}
    assert base != tip


def test_draft_skipped_unless_configured(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    run = run_event(
        agent_repo, monkeypatch, github, "pull_request", pr_payload(number, base, head, draft=True)
    )
    assert run.result.exit_code == 0
    assert "is a draft; skipped" in run.out and bodies(github) == []

    write_config(
        agent_repo, {"provider": {"name": "echo", "model": "echo-1"}, "github": {"run_on_drafts": True}}
    )
    run = run_event(
        agent_repo, monkeypatch, github, "pull_request", pr_payload(number, base, head, draft=True)
    )
    assert run.result.exit_code == 0, run.err
    assert "regression" in bodies(github)[0]


def test_fork_pull_request_waits_for_a_maintainer(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: a fork's PR got `success` ("skipped"). Now: action_required, nothing evaluated."""
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    fork = payloads.repository("mallory/agents", fork=True)
    payload = pr_payload(number, base, head, head_repo=fork)
    # even with a key in the environment (a hand-written workflow leaking it), nothing is evaluated
    run = run_event(
        agent_repo, monkeypatch, github, "pull_request", payload, ANTHROPIC_API_KEY="sk-leaked-1234"
    )
    assert run.result.exit_code == 0, run.err
    [comment] = bodies(github)
    assert "**promptops/eval: action_required**" in comment
    assert "A maintainer can comment `/promptops eval`" in comment
    check = github.latest_check_runs(head)["promptops/eval"]
    assert check["conclusion"] == "action_required"
    assert github.latest_statuses(head)["promptops/eval"]["state"] == "pending"
    assert "does not evaluate a fork's PR outside a maintainer's command" in run.out
    assert not (agent_repo / ".promptops" / "runs").exists()


def test_new_agent_is_evaluated_without_comparison(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = {
        p.replace("support-agent", "sales-agent"): (agent_repo / p).read_text()
        for p in _agent_files(agent_repo)
    }
    new["prompts/sales-agent/agent.yaml"] = new["prompts/sales-agent/agent.yaml"].replace(
        "support-agent", "sales-agent"
    )
    base, head = feature_branch(agent_repo, new)
    git(agent_repo, "checkout", "-q", "feature")  # Actions checks out the PR's merge commit
    number = open_pull(github, "feature")
    run = run_event(agent_repo, monkeypatch, github, "pull_request", pr_payload(number, base, head))
    assert run.result.exit_code == 0, run.err
    [comment] = bodies(github)
    assert "### sales-agent: **evaluated**" in comment
    assert "new agent: no base version to compare with" in comment
    assert github.latest_statuses(head)["promptops/eval"]["state"] == "success"


def _agent_files(repo: Path) -> list[str]:
    return [str(p.relative_to(repo)) for p in (repo / AGENT).rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            payloads.pull_request("opened", 9, base_sha="a" * 40, head_sha="b" * 40, head_repo=None),
            "deleted repository",
        ),
        (payloads.pull_request("closed", 9, base_sha="a" * 40, head_sha="b" * 40), "nothing to remember"),
        (payloads.pull_request("labeled", 9, base_sha="a" * 40, head_sha="b" * 40), "needs no evaluation"),
        ({"action": "opened", "repository": payloads.repository()}, "lacks 'pull_request'"),
    ],
)
def test_payloads_with_nothing_to_do_exit_0(
    agent_repo: Path, monkeypatch: pytest.MonkeyPatch, payload: dict, expected: str
) -> None:
    run = run_event(agent_repo, monkeypatch, None, "pull_request", payload)
    assert run.result.exit_code == 0, run.err
    assert expected in run.out and run.err == ""
    assert expected in run.summary


def test_fork_with_a_read_only_token_reports_in_the_job_summary(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    write_config(agent_repo, {"provider": {"name": "anthropic", "model": "claude-sonnet-5-5"}})
    number = open_pull(github, "feature")
    github.inject("issues/create-comment", 403, message="Resource not accessible by integration")
    fork = payloads.repository("mallory/agents", fork=True)
    payload = pr_payload(number, base, head, head_repo=fork)
    run = run_event(agent_repo, monkeypatch, github, "pull_request", payload)
    assert run.result.exit_code == 0, run.err
    assert "could not write to the pull request from a fork (read-only token)" in run.out
    assert "**promptops/eval: action_required**" in run.summary
    assert bodies(github) == []


def test_same_repository_github_failure_fails_the_job(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    github.inject("issues/create-comment", 403, message="Resource not accessible by integration")
    run = run_event(agent_repo, monkeypatch, github, "pull_request", pr_payload(number, base, head))
    assert run.result.exit_code == 1
    assert "GitHub answered 403 while writing the promptops comment" in run.err
    assert "promptops failed" in run.summary
    # the check and the status were set before the comment: a required check is never left waiting
    assert github.latest_check_runs(head)["promptops/eval"]["conclusion"] == "failure"
    assert github.latest_statuses(head)["promptops/eval"]["state"] == "failure"
