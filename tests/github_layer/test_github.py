"""The GitHub layer: real PyGithub against the GitHub stand-in, real git against a bare origin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from promptops.bot.pr_report import COMMENT_LIMIT, CaseChange, ReportData, render_report
from promptops.errors import PromptopsError
from promptops.git import tree
from promptops.git.commits import PublishResult
from promptops.github.connection import connect, manual_pr_hint, parse_remote_url, resolve_repository
from promptops.github.pulls import PullRequestResult, publish_pull_request, report_labels
from promptops.github.repository import GitHubRepo
from promptops.github.retries import GitHubError, MissingToken, OpenPullLimitReached, RetryPolicy
from tests.bot.reports import sample_report
from tests.git_layer.conftest import SYSTEM_PATH, SYSTEM_TEXT, publish
from tests.standins.github_server import GitHubStandin

KEY = "support-agent/system/conciseness"


def connect_standin(standin: GitHubStandin, *, sleeps: list[float] | None = None, **kw: Any) -> GitHubRepo:
    sleeps = [] if sleeps is None else sleeps
    policy = RetryPolicy(attempts=3, base_delay_s=0.01, max_wait_s=0.05, sleep=sleeps.append)
    return connect(
        token=kw.pop("token", standin.token),
        repository="octo-org/prompts",
        base_url=standin.url,
        retry=policy,
        env={},
        **kw,
    )


def report(verdict: str = "Recommended: -23% tokens, pass rate unchanged", cases: int = 3) -> ReportData:
    return sample_report(
        key=KEY,
        verdict=verdict,
        base_text=SYSTEM_TEXT,
        variant_text="Be a concise ACME agent.\n",
        case_changes=tuple(
            CaseChange(f"case-{i}", "fail", "pass", "now cites the refund policy") for i in range(cases)
        ),
    )


def open_pr(gh: GitHubRepo, pushed: PublishResult, body: str, **kw: Any) -> PullRequestResult:
    return publish_pull_request(
        gh,
        branch=pushed.branch,
        base="main",
        title="promptops(support-agent/system): conciseness",
        body=body,
        comment_key=KEY,
        comment_body=body,
        labels=report_labels("conciseness", True, ["prompts"]),
        head_sha=pushed.commit,
        status_state="success",
        status_description="pass rate 86% vs 85%, -23% tokens",
        **kw,
    )


def test_publish_opens_a_pr_with_comment_labels_and_status(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    pushed = publish(prompt_repo, "Be a concise ACME agent.\n")
    body = render_report(report())

    result = open_pr(connect_standin(github_standin), pushed, body)

    assert result.created and result.comment_created
    pr = github_standin.pulls[result.number]
    assert (pr["head"], pr["base"], pr["state"]) == (pushed.branch, "main", "open")
    assert github_standin.branch_sha(pr["head"]) == pushed.commit
    assert pr["body"] == body
    comments = [c for c in github_standin.comments.values() if c["issue"] == result.number]
    assert len(comments) == 1 and comments[0]["body"].startswith(f"<!-- promptops:report {KEY} -->")
    assert set(result.labels) == {"promptops", "goal:conciseness", "promptops:recommended", "prompts"}
    status = github_standin.latest_statuses(pushed.commit)["promptops/eval"]
    assert status["state"] == "success" and status["description"].startswith("pass rate 86%")


def test_rerun_updates_the_same_pr_and_the_same_comment(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    gh = connect_standin(github_standin)
    first = open_pr(gh, publish(prompt_repo, "First.\n", run="run-1"), render_report(report("First verdict")))
    github_standin.add_comment(first.number, "Looks good to me", login="alice")  # a human's comment stays
    second_push = publish(prompt_repo, "Second.\n", run="run-2")

    second = open_pr(gh, second_push, render_report(report("Second verdict")))

    assert (second.number, second.comment_id) == (first.number, first.comment_id)
    assert not second.created and not second.comment_created
    assert len(github_standin.pulls) == 1
    ours = [c for c in github_standin.comments.values() if c["body"].startswith("<!-- promptops:report")]
    assert len(ours) == 1 and "Second verdict" in ours[0]["body"]
    assert "Second verdict" in github_standin.pulls[first.number]["body"]
    assert len(github_standin.comments) == 2
    assert github_standin.latest_statuses(second_push.commit)["promptops/eval"]["state"] == "success"


def test_publishing_needs_six_requests_plus_the_bot_login_once_and_the_labels_match_github(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    gh = connect_standin(github_standin)
    github_standin.requests.clear()  # connecting read the repository once
    first = open_pr(gh, publish(prompt_repo, "First.\n", run="run-1"), "first", max_open_prs=5)
    new_pr = [(r.method, r.operation) for r in github_standin.requests]
    github_standin.requests.clear()
    again = open_pr(gh, publish(prompt_repo, "Second.\n", run="run-2"), "second", max_open_prs=5)
    rerun = [(r.method, r.operation) for r in github_standin.requests]

    # one listing finds our PR and counts the open ones; nothing is read twice. The bot's own
    # login (whose comments it may edit) is read once per connection, on the first publish.
    assert new_pr[:2] == [("GET", "pulls/list"), ("POST", "pulls/create")] and len(new_pr) == 7
    assert new_pr.count(("GET", "users/get-authenticated")) == 1
    assert rerun[0] == ("GET", "pulls/list") and len(rerun) == 6
    assert ("GET", "users/get-authenticated") not in rerun
    assert ("PATCH", "pulls/update") in rerun and ("GET", "issues/list-labels-on-issue") not in rerun
    on_github = set(github_standin.issue_labels[first.number])
    assert set(first.labels) == set(again.labels) == on_github


def test_max_open_prs_opens_none_at_the_limit(prompt_repo: Path, github_standin: GitHubStandin) -> None:
    gh = connect_standin(github_standin)
    for goal in ("conciseness", "accuracy"):
        open_pr(gh, publish(prompt_repo, f"{goal} variant.\n", goal=goal), "body", max_open_prs=2)
    third = publish(prompt_repo, "speed variant.\n", goal="speed")

    with pytest.raises(
        OpenPullLimitReached, match=r"2 promptops pull requests are open \(github.max_open_prs = 2\)"
    ):
        open_pr(gh, third, "body", max_open_prs=2)
    assert len(github_standin.pulls) == 2
    rerun = open_pr(
        gh, publish(prompt_repo, "accuracy again.\n", goal="accuracy", run="r2"), "b", max_open_prs=2
    )
    assert not rerun.created  # updating an existing PR is not opening one


def test_no_token_is_a_specific_error_after_the_branch_is_pushed(prompt_repo: Path) -> None:
    pushed = publish(prompt_repo, "Variant.\n")
    with pytest.raises(MissingToken, match="set GITHUB_TOKEN or pass --token"):
        connect(repository="octo-org/prompts", env={})
    assert tree.read_blob(prompt_repo, f"origin/{pushed.branch}", SYSTEM_PATH) == b"Variant.\n"
    hint = manual_pr_hint("git@github.com:octo-org/prompts.git", "main", pushed.branch)
    assert hint == f"https://github.com/octo-org/prompts/compare/main...{pushed.branch}?expand=1"


def test_server_errors_are_retried_then_succeed(prompt_repo: Path, github_standin: GitHubStandin) -> None:
    sleeps: list[float] = []
    gh = connect_standin(github_standin, sleeps=sleeps)
    github_standin.inject("pulls/create", 502, times=2)

    result = open_pr(gh, publish(prompt_repo, "Variant.\n"), "body")

    assert result.created and len(github_standin.pulls) == 1
    assert len(github_standin.calls("pulls/create")) == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff


def test_server_errors_that_persist_end_in_a_clear_error(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    gh = connect_standin(github_standin)
    github_standin.inject("issues/create-comment", 503, times=3)
    pushed = publish(prompt_repo, "Variant.\n")

    with pytest.raises(
        GitHubError,
        match=r"GitHub answered 503 while writing the promptops comment on #1: .*re-run later",
    ):
        open_pr(gh, pushed, "body")
    assert len(github_standin.calls("issues/create-comment")) == 3
    rerun = open_pr(gh, pushed, "body")  # picks up where it stopped
    assert (rerun.number, rerun.created, rerun.comment_created) == (1, False, True)


def test_rate_limit_waits_for_the_reset_then_gives_a_clear_error(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    sleeps: list[float] = []
    gh = connect_standin(github_standin, sleeps=sleeps)
    github_standin.rate_limit("pulls/list", reset_in=30, times=1)
    result = open_pr(gh, publish(prompt_repo, "Variant.\n"), "body")
    assert result.created and sleeps == [0.05]  # wanted ~30 s, capped by max_wait_s

    github_standin.rate_limit("pulls/list", reset_in=30, times=5)
    with pytest.raises(GitHubError, match=r"GitHub answered 403 .*rate limit resets at \d\d:\d\d:\d\d UTC"):
        gh.find_open_pull("promptops/x")


def test_duplicate_pr_422_is_recovered_by_looking_it_up(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    gh = connect_standin(github_standin)
    github_standin.inject("pulls/create", 502, after_success=True)  # created, but the reply was lost

    result = open_pr(gh, publish(prompt_repo, "Variant.\n"), "the report")

    assert [r.status for r in github_standin.calls("pulls/create")] == [502, 422]
    assert len(github_standin.pulls) == 1 and result.number == 1 and not result.created
    assert github_standin.pulls[1]["body"] == "the report"


def test_lost_comment_reply_is_not_posted_twice(prompt_repo: Path, github_standin: GitHubStandin) -> None:
    github_standin.inject("issues/create-comment", 502, after_success=True)

    result = open_pr(connect_standin(github_standin), publish(prompt_repo, "Variant.\n"), "the report")

    assert [r.status for r in github_standin.calls("issues/create-comment")] == [502]
    assert list(github_standin.comments) == [result.comment_id] and not result.comment_created


def test_oversized_report_is_trimmed_and_never_fails(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    body = render_report(report(cases=5000))
    assert len(body) <= COMMENT_LIMIT
    assert "per-case improvements not shown (GitHub's size limit)" in body

    result = open_pr(connect_standin(github_standin), publish(prompt_repo, "Variant.\n"), body + "x" * 70000)

    comment = github_standin.comments[result.comment_id]["body"]
    assert len(comment) <= COMMENT_LIMIT and "Cut to fit GitHub's 65,536-character limit" in comment
    assert len(github_standin.pulls[result.number]["body"]) <= COMMENT_LIMIT


def test_permission_gate_and_reaction(prompt_repo: Path, github_standin: GitHubStandin) -> None:
    gh = connect_standin(github_standin)
    github_standin.collaborators.update(maintainer="write", reader="read", boss="admin")
    assert gh.can_write("maintainer") and gh.can_write("boss")
    assert not gh.can_write("reader") and not gh.can_write("stranger")

    result = open_pr(gh, publish(prompt_repo, "Variant.\n"), "body")
    command = github_standin.add_comment(result.number, "/promptops optimize", login="maintainer")
    gh.react(result.number, command)
    assert [r["content"] for r in github_standin.reactions[command]] == ["eyes"]


def test_enterprise_base_url(prompt_repo: Path) -> None:
    standin = GitHubStandin(bare_repo=prompt_repo.parent / "origin.git", path_prefix="/api/v3").start()
    try:
        assert standin.url.endswith("/api/v3")
        result = open_pr(connect_standin(standin), publish(prompt_repo, "Variant.\n"), "body")
    finally:
        standin.stop()
    assert standin.pulls[result.number]["head"] == "promptops/support-agent/system/conciseness"
    assert {r.path for r in standin.requests} >= {"/repos/octo-org/prompts/pulls"}
    assert not standin.violations


def test_wrong_token_and_unknown_repository_are_clear(github_standin: GitHubStandin) -> None:
    with pytest.raises(GitHubError, match="answered 401 .*check the token"):
        connect_standin(github_standin, token="wrong")
    policy = RetryPolicy(attempts=1)
    with pytest.raises(GitHubError, match="answered 404 .*check that octo-org/other exists"):
        connect(
            token=github_standin.token,
            repository="octo-org/other",
            base_url=github_standin.url,
            retry=policy,
            env={},
        )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo-org/prompts.git", "octo-org/prompts"),
        ("https://x-access-token:abc@github.com/octo-org/prompts", "octo-org/prompts"),
        ("git@github.com:octo-org/prompts.git", "octo-org/prompts"),
        ("ssh://git@ghe.example.com:2222/octo-org/prompts.git", "octo-org/prompts"),
        ("https://ghe.example.com/scm/octo-org/prompts/", "octo-org/prompts"),
        ("/tmp/origin.git", None),
    ],
)
def test_repository_from_remote_url(url: str, expected: str | None) -> None:
    assert parse_remote_url(url) == expected


def test_repository_from_env_wins_and_a_local_remote_needs_it() -> None:
    env = {"GITHUB_REPOSITORY": "octo-org/from-env"}
    assert resolve_repository(None, "git@github.com:a/b.git", env) == "octo-org/from-env"
    assert resolve_repository("x/y", None, env) == "x/y"
    with pytest.raises(PromptopsError, match="set GITHUB_REPOSITORY=owner/name"):
        resolve_repository(None, "/tmp/origin.git", {})
