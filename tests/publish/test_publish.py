"""The whole loop: optimize -> branch, commit, note, push -> PR, comment, labels, status -> merge -> history.

Real git with a bare origin, the real optimizer (edit generator, echo provider), and real
PyGithub against the GitHub stand-in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.bot.pr_report import report_marker
from tests.conftest import run_cli
from tests.gitrepo import git
from tests.publish.conftest import SYSTEM, optimize, rewrite_session
from tests.standins.github_server import GitHubStandin

BRANCH = "promptops/support-agent/system/conciseness"
MARKER = report_marker("support-agent/system/conciseness")


def comments_on(standin: GitHubStandin, number: int) -> list[dict]:
    return [c for c in standin.comments.values() if c["issue"] == number]


def test_optimize_open_pr_then_pr_rerun_then_merge_shows_in_history(
    optimized_repo: Path, github_standin: GitHubStandin
) -> None:
    session, result = optimize(optimized_repo, "--open-pr")

    assert result.exit_code == 0, result.stderr
    assert session["recommendation"]["action"] == "adopt"
    assert "opened pull request #1" in result.stdout
    winner = next(c for c in session["candidates"] if c["id"] == session["recommendation"]["candidate"])
    git(optimized_repo, "fetch", "-q", "origin", "+refs/notes/promptops:refs/notes/promptops")
    head = git(optimized_repo, "rev-parse", f"origin/{BRANCH}")
    assert git(optimized_repo, "show", f"origin/{BRANCH}:{SYSTEM}") + "\n" == winner["text"]
    message = git(optimized_repo, "log", "-1", "--format=%B", head)
    tokens = round((session["holdout"]["verdict"]["figures"]["tokens"]["ratio"] - 1) * 100)
    assert message.splitlines()[0] == (
        f"promptops(support-agent/system): conciseness, {tokens:+d}% tokens, pass rate unchanged"
    )
    for trailer in (
        "Promptops-Prompt: support-agent/system",
        f"Promptops-Base: {session['prompt']['base_version']}",
        "Promptops-Goal: conciseness",
        f"Promptops-Run: {session['id']}",
    ):
        assert trailer in message
    note = json.loads(git(optimized_repo, "notes", "--ref=promptops", "show", head))
    assert note["session"] == session["id"] and note["verdict"] == "improvement" and note["recommended"]

    pr = github_standin.pulls[1]
    assert pr["head"] == BRANCH and pr["head_sha"] == head
    assert pr["body"].startswith(MARKER) and "✅ Recommended: improvement for conciseness" in pr["body"]
    assert f"Measured on {session['holdout']['cases']} cases × 1 repeats" in pr["body"]
    assert set(github_standin.issue_labels[1]) == {"promptops", "goal:conciseness", "promptops:recommended"}
    assert github_standin.latest_statuses(head)["promptops/eval"]["state"] == "success"
    (comment,) = comments_on(github_standin, 1)

    again = run_cli(optimized_repo, "pr", "support-agent/system", "--session", session["id"][:22], "--json")

    assert again.exit_code == 0, again.stderr
    out = json.loads(again.stdout)
    assert (out["pr_number"], out["comment_id"], out["recommended"]) == (1, comment["id"], True)
    (edited,) = comments_on(github_standin, 1)
    assert len(github_standin.pulls) == 1 and edited["id"] == comment["id"]
    assert edited["body"].startswith(MARKER) and len(github_standin.calls("issues/update-comment")) == 1
    assert "updated pull request #1" in out["message"]

    # merging the PR (GitHub's merge button) deploys it; history shows the PR and the eval note
    git(optimized_repo, "fetch", "-q", "origin")
    git(
        optimized_repo,
        "merge",
        "-q",
        "--no-ff",
        f"origin/{BRANCH}",
        "-m",
        f"Merge pull request #1 from octo-org/{BRANCH}",
    )
    git(optimized_repo, "push", "-q", "origin", "main")
    git(optimized_repo, "update-ref", "-d", "refs/notes/promptops")  # history fetches them from origin
    history = json.loads(run_cli(optimized_repo, "history", "support-agent/system", "--json").stdout)
    newest = history["versions"][0]
    assert (newest["version"], newest["deployed"], newest["pr_number"]) == ("v2", True, 1)
    assert newest["version_id"] == winner["version_id"]
    assert newest["eval"]["session"] == out["session_id"] and newest["eval"]["verdict"] == "improvement"
    table = run_cli(optimized_repo, "history", "support-agent/system").stdout
    assert f"#1  improvement pass 100%->100% tokens {tokens:+d}%" in table


def test_a_session_not_shown_better_is_published_labelled_not_recommended(
    optimized_repo: Path, github_standin: GitHubStandin
) -> None:
    session, _ = optimize(optimized_repo)
    verdict = {**session["holdout"]["verdict"], "outcome": "inconclusive", "headline": "inconclusive"}
    sid = rewrite_session(
        optimized_repo,
        session,
        holdout={**session["holdout"], "verdict": verdict},
        recommendation={"action": "keep-base", "candidate": None, "summary": "keep the base"},
    )

    result = run_cli(optimized_repo, "pr", "support-agent/system", "--session", sid)

    assert result.exit_code == 0, result.stderr
    assert "labelled promptops:not-recommended" in result.stdout
    labels = set(github_standin.issue_labels[1])
    assert "promptops:not-recommended" in labels and "promptops:recommended" not in labels
    head = git(optimized_repo, "ls-remote", "origin", BRANCH).split()[0]
    status = github_standin.latest_statuses(head)["promptops/eval"]
    assert status["state"] == "failure" and status["description"].startswith("not recommended: inconclusive")
    assert "⚠️ Not recommended: inconclusive" in github_standin.pulls[1]["body"]


def test_failed_or_unconfirmed_sessions_are_refused_and_nothing_is_pushed(optimized_repo: Path) -> None:
    session, _ = optimize(optimized_repo)
    failed = rewrite_session(optimized_repo, session, status="failed", error="budget ran out")
    result = run_cli(optimized_repo, "pr", "support-agent/system", "--session", failed)
    assert result.exit_code == 2
    assert f"session {failed} failed (budget ran out); nothing to publish" in result.stderr
    unconfirmed = rewrite_session(
        optimized_repo,
        {**session, "id": "other"},
        holdout=None,
        recommendation={"action": "keep-base", "candidate": None, "summary": "keep the base: no candidate"},
    )
    result = run_cli(optimized_repo, "pr", "support-agent/system", "--session", unconfirmed)
    assert result.exit_code == 2 and "no candidate confirmed on the holdout cases" in result.stderr
    assert git(optimized_repo, "ls-remote", "origin", BRANCH) == ""


def test_wrong_prompt_or_unknown_session(optimized_repo: Path) -> None:
    session, _ = optimize(optimized_repo)
    result = run_cli(optimized_repo, "pr", "support-agent/user_template", "--session", session["id"])
    assert (
        result.exit_code == 2
        and "optimized support-agent/system, not support-agent/user_template" in result.stderr
    )
    result = run_cli(optimized_repo, "pr", "support-agent/system", "--session", "nope")
    assert result.exit_code == 2 and "no session 'nope' in .promptops/sessions/" in result.stderr


def test_no_token_pushes_the_branch_and_says_how_to_open_the_pr(
    optimized_repo: Path, github_standin: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    session, result = optimize(optimized_repo, "--open-pr")
    assert result.exit_code == 0, result.stderr
    assert f"pushed {BRANCH}; no GitHub token" in result.stdout
    assert f"gh pr create --base main --head {BRANCH}" in result.stdout
    assert git(optimized_repo, "ls-remote", "origin", BRANCH) != ""
    assert git(optimized_repo, "ls-remote", "origin", "refs/notes/promptops") != ""
    assert github_standin.pulls == {}


def test_branch_only_commits_locally(optimized_repo: Path, github_standin: GitHubStandin) -> None:
    session, result = optimize(optimized_repo, "--branch-only")
    assert result.exit_code == 0, result.stderr
    assert f"on local branch {BRANCH} (not pushed: --branch-only)" in result.stdout
    assert (
        git(optimized_repo, "log", "-1", "--format=%(trailers:key=Promptops-Run,valueonly)", BRANCH)
        == session["id"]
    )
    assert git(optimized_repo, "ls-remote", "origin", BRANCH) == "" and github_standin.requests == []


def test_max_open_prs_opens_none_beyond_the_limit(
    optimized_repo: Path, github_standin: GitHubStandin
) -> None:
    config = optimized_repo / ".promptops.yaml"
    config.write_text(config.read_text() + "  max_open_prs: 1\n")
    git(optimized_repo, "commit", "-qam", "limit open PRs")
    git(optimized_repo, "push", "-q", "origin", "main")
    _, first = optimize(optimized_repo, "--open-pr")
    assert "opened pull request #1" in first.stdout, first.stderr

    _, second = optimize(optimized_repo, "--open-pr", goal="accuracy")

    assert second.exit_code == 0, second.stderr
    assert "1 promptops pull requests are open (github.max_open_prs = 1); opened none" in second.stdout
    assert len(github_standin.pulls) == 1
    assert git(optimized_repo, "ls-remote", "origin", "promptops/support-agent/system/accuracy") != ""
