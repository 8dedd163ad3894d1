"""How the GitHub layer waits: real PyGithub against the stand-in, waits recorded, not slept.

Before: a 5xx carrying `x-ratelimit-reset` waited until the reset (up to a minute) instead
of backing off; a secondary rate limit (403/429 without `retry-after`) was not retried.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from promptops.github.connection import connect
from promptops.github.repository import GitHubRepo
from promptops.github.retries import GitHubError, RetryPolicy
from tests.standins.github_server import GitHubStandin


def handle(standin: GitHubStandin, sleeps: list[float]) -> GitHubRepo:
    """The default policy (1 s base, 60 s secondary wait) with the waits recorded instead of slept."""
    return connect(
        token=standin.token,
        repository="octo-org/prompts",
        base_url=standin.url,
        retry=RetryPolicy(sleep=sleeps.append),
        env={},
    )


def test_5xx_backs_off_1_2_4_seconds_whatever_the_reset_header(
    repo: Path, github_standin: GitHubStandin
) -> None:
    sleeps: list[float] = []
    gh = handle(github_standin, sleeps)
    reset = {"x-ratelimit-remaining": "4000", "x-ratelimit-reset": str(int(time.time()) + 50)}
    github_standin.inject("pulls/list", 502, times=3, headers=reset)
    assert gh.find_open_pull("promptops/x") is None
    assert sleeps == [1.0, 2.0, 4.0]


def test_secondary_rate_limit_waits_at_least_a_minute(repo: Path, github_standin: GitHubStandin) -> None:
    sleeps: list[float] = []
    gh = handle(github_standin, sleeps)
    github_standin.inject("pulls/list", 429)
    github_standin.inject(
        "pulls/list", 403, message="You have exceeded a secondary rate limit. Please wait a few minutes."
    )
    assert gh.find_open_pull("promptops/x") is None
    assert sleeps == [60.0, 60.0]


def test_retry_after_is_honoured_and_reset_only_when_nothing_remains(
    repo: Path, github_standin: GitHubStandin
) -> None:
    sleeps: list[float] = []
    gh = handle(github_standin, sleeps)
    github_standin.inject("pulls/list", 403, headers={"retry-after": "7"}, message="secondary rate limit")
    github_standin.rate_limit("pulls/list", reset_in=20)
    assert gh.find_open_pull("promptops/x") is None
    assert sleeps[0] == 7.0 and 18.0 <= sleeps[1] <= 22.0


def test_a_plain_403_is_a_permission_not_a_limit(repo: Path, github_standin: GitHubStandin) -> None:
    sleeps: list[float] = []
    gh = handle(github_standin, sleeps)
    github_standin.inject("pulls/list", 403, message="Resource not accessible by integration")
    with pytest.raises(GitHubError, match="answered 403"):
        gh.find_open_pull("promptops/x")
    assert sleeps == []


def test_a_token_without_checks_permission_still_sets_the_status(
    repo: Path, github_standin: GitHubStandin
) -> None:
    gh = handle(github_standin, [])
    sha = github_standin.branch_sha("main")
    github_standin.inject("checks/create", 403, message="Resource not accessible by personal access token")
    assert gh.create_check_run(sha, "failure", "regression in a", "summary") is False
    gh.set_commit_status(sha, "failure", "regression in a")
    assert github_standin.check_runs == {}
    assert github_standin.latest_statuses(sha)["promptops/eval"]["state"] == "failure"
    assert gh.create_check_run(sha, "neutral", "inconclusive in a", "summary") is True
    assert github_standin.latest_check_runs(sha)["promptops/eval"]["conclusion"] == "neutral"


def test_an_actions_token_is_github_actions_bot(repo: Path, github_standin: GitHubStandin) -> None:
    """GITHUB_TOKEN cannot read /user: in Actions the bot is github-actions[bot], resolved once."""
    github_standin.inject("users/get-authenticated", 403, message="Resource not accessible by integration")
    gh = connect(
        token=github_standin.token,
        repository="octo-org/prompts",
        base_url=github_standin.url,
        retry=RetryPolicy(sleep=[].append),
        env={"GITHUB_ACTIONS": "true"},
    )
    assert gh.identity == "github-actions[bot]" and gh.identity == "github-actions[bot]"
    assert len(github_standin.calls("users/get-authenticated")) == 1
    app = connect(
        token=github_standin.token,
        repository="octo-org/prompts",
        base_url=github_standin.url,
        env={"PROMPTOPS_BOT_LOGIN": "promptops-app[bot]"},
    )
    assert app.identity == "promptops-app[bot]"
