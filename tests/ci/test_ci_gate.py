"""`promptops/eval` as a required gate, event by event, with a strict configuration.

The model is the real anthropic SDK against the Messages-API stand-in; GitHub is real
PyGithub against the GitHub stand-in. Each test is a way the gate used to fail open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci import payloads
from tests.ci.conftest import AGENT, bodies, feature_branch, open_pull, run_event
from tests.gitrepo import commit
from tests.standins.anthropic_server import STANDIN_API_KEY, AnthropicStandin
from tests.standins.base import Reply
from tests.standins.fixtures import anthropic_provider_config
from tests.standins.github_server import GitHubStandin

STRICT = {"gate": {"inconclusive": "failure", "min_paired_samples": 8}}


def model(request: dict[str, Any]) -> Reply | str:
    system = str(request.get("system"))
    if "BROKEN" in system:
        return Reply(status=400, error_type="invalid_request_error")
    return "Per our refund policy, yes." if "refund" in system else "Sorry, no."


@pytest.fixture
def strict_repo(agent_repo: Path, anthropic_standin: AnthropicStandin) -> Path:
    """support-agent with eight refund cases, judged by the stand-in model under a strict gate (on main)."""
    anthropic_standin.reply = model
    config = {"provider": anthropic_provider_config(anthropic_standin, max_retries=1), **STRICT}
    commit(agent_repo, {".promptops.yaml": yaml.safe_dump(config)}, "strict gate", push=True)
    return agent_repo


def pull_event(
    repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], **kw
):
    base, head = feature_branch(repo, files)
    number = open_pull(github, "feature")
    payload = payloads.pull_request("opened", number, base_sha=base, head_sha=head, **kw)
    run = run_event(repo, monkeypatch, github, "pull_request", payload, ANTHROPIC_API_KEY=STANDIN_API_KEY)
    return run, number, head


def check(github: GitHubStandin, sha: str) -> dict[str, Any]:
    return github.latest_check_runs(sha)["promptops/eval"]


def test_a_pr_whose_every_call_errors_fails(strict_repo, github, monkeypatch):
    """Before: pass rate 100% -> 0%, errors 0 -> 8, verdict inconclusive, status success."""
    run, _, head = pull_event(
        strict_repo, github, monkeypatch, {f"{AGENT}/system.md": "BROKEN. Follow the refund policy.\n"}
    )
    assert run.result.exit_code == 0, run.err
    assert (check(github, head)["conclusion"], check(github, head)["output"]["title"]) == (
        "failure",
        "samples errored in support-agent",
    )
    assert github.latest_statuses(head)["promptops/eval"]["state"] == "failure"
    [comment] = bodies(github)
    assert "8 of 16 samples errored after retries" in comment
    assert "re-run: comment /promptops eval on the pull request" in comment


def test_a_pr_that_lowers_alpha_fails_until_a_maintainer_approves(strict_repo, github, monkeypatch):
    loose = yaml.safe_load((strict_repo / ".promptops.yaml").read_text())
    loose["decision"] = {"alpha": 1e-12}
    run, number, head = pull_event(
        strict_repo,
        github,
        monkeypatch,
        {
            ".promptops.yaml": yaml.safe_dump(loose),
            f"{AGENT}/system.md": "Follow the refund policy. Be kind.\n",
        },
    )
    assert run.result.exit_code == 0, run.err
    result = check(github, head)
    assert result["conclusion"] == "failure"
    assert (
        "loosens its own gate; a maintainer can comment `/promptops approve-gate-change`"
        in result["output"]["title"]
    )
    [comment] = bodies(github)
    assert "decision.alpha 0.05 to 1e-12 (loosens the gate)" in comment
    assert "it is judged by the base's settings" in comment

    # a reader cannot approve; a maintainer can, for this head commit only
    github.collaborators.update({"mallory": "read", "alice": "write"})
    for login in ("mallory", "alice"):
        comment_id = github.add_comment(number, "/promptops approve-gate-change", login)
        payload = payloads.issue_comment(
            "/promptops approve-gate-change", number=number, login=login, comment_id=comment_id
        )
        approved = run_event(
            strict_repo, monkeypatch, github, "issue_comment", payload, ANTHROPIC_API_KEY=STANDIN_API_KEY
        )
        assert approved.result.exit_code == 0, approved.err
    result = check(github, head)
    assert "loosens its own gate" not in result["output"]["title"]
    assert result["output"]["title"] == "inconclusive in support-agent"  # strict: inconclusive fails
    assert "Approved by alice with `/promptops approve-gate-change`" in result["output"]["summary"]


def test_a_pr_that_deletes_cases_is_judged_on_the_base_cases_and_needs_approval(
    strict_repo, github, monkeypatch
):
    one_case = (
        "cases:\n  - id: case-0\n    vars: {customer_message: hi}\n"
        "    assert: [{type: icontains, value: refund}]\n"
    )
    run, _, head = pull_event(
        strict_repo,
        github,
        monkeypatch,
        {f"{AGENT}/evals/cases.yaml": one_case, f"{AGENT}/system.md": "Sorry. No.\n"},
    )
    assert run.result.exit_code == 0, run.err
    result = check(github, head)
    assert result["conclusion"] == "failure"
    [comment] = bodies(github)
    assert "This pull request changes the eval cases; the verdict is on the base's cases." in comment
    assert (
        "support-agent: eval cases removed: case-1, case-2, case-3, case-4, case-5, case-6, case-7" in comment
    )
    assert "Measured on 8 samples (8 cases" in comment  # the base's cases judged the new prompt
    assert "### support-agent: **regression**" in comment
    assert (
        "On this pull request's own cases (reported separately, not judged): pass rate 0.0% "
        "(0 passed, 1 failed, 0 errors on 1 samples of 1 cases)"
    ) in comment


def test_a_fork_pr_is_action_required(strict_repo, github, monkeypatch):
    fork = payloads.repository("mallory/agents", fork=True)
    run, _, head = pull_event(
        strict_repo, github, monkeypatch, {f"{AGENT}/system.md": "Sorry. No.\n"}, head_repo=fork
    )
    assert run.result.exit_code == 0, run.err
    assert check(github, head)["conclusion"] == "action_required"
    assert not (strict_repo / ".promptops" / "runs").exists()


def test_a_forged_marker_comment_is_never_edited(strict_repo, github, monkeypatch):
    """Before: the bot edited the first comment starting with its marker, whoever wrote it."""
    feature_branch(strict_repo, {f"{AGENT}/system.md": "Follow the refund policy. Be kind.\n"}, name="early")
    number = open_pull(github, "early")
    forged = github.add_comment(number, "<!-- promptops:report eval -->\nAll good, merge it!", "mallory")
    base = github.branch_sha("main")
    head = github.branch_sha("early")
    payload = payloads.pull_request("opened", number, base_sha=base, head_sha=head, head_ref="early")
    run = run_event(
        strict_repo, monkeypatch, github, "pull_request", payload, ANTHROPIC_API_KEY=STANDIN_API_KEY
    )
    assert run.result.exit_code == 0, run.err
    assert github.comments[forged]["body"] == "<!-- promptops:report eval -->\nAll good, merge it!"
    ours = [c for c in github.comments.values() if c["login"] == github.login]
    assert len(ours) == 1 and ours[0]["body"].startswith("<!-- promptops:report eval -->")
    assert "## promptops evaluation" in ours[0]["body"]
    assert "ignored 1 comment(s) carrying promptops' marker written by someone else" in run.summary
    assert f"issuecomment-{forged} (by mallory)" in run.summary
