"""No secret in any output: run `promptops ci` for every event with a model key and a GitHub
token set, then search stdout, stderr, the step summary and every body GitHub received."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ci import payloads
from tests.ci.conftest import (
    AGENT,
    FAKE_GITHUB_TOKEN,
    CiRun,
    feature_branch,
    open_pull,
    run_event,
    write_config,
)
from tests.gitrepo import commit, git
from tests.standins.anthropic_server import STANDIN_API_KEY, AnthropicStandin
from tests.standins.fixtures import anthropic_provider_config
from tests.standins.github_server import GitHubStandin

SECRETS = (STANDIN_API_KEY, FAKE_GITHUB_TOKEN)


def test_no_secret_in_any_output(
    agent_repo: Path,
    github: GitHubStandin,
    anthropic_standin: AnthropicStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a deploy command that (carelessly) prints both secrets, and a provider that reaches the
    # stand-in, committed on main: a PR is judged by the base's settings
    write_config(
        agent_repo,
        {
            "provider": anthropic_provider_config(anthropic_standin),
            "deploy": {"command": 'echo "key=$ANTHROPIC_API_KEY token=$GITHUB_TOKEN"'},
        },
    )
    commit(agent_repo, {}, "settings for the stand-in", push=True)
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": "You are a support agent. Be brief.\n"})
    github.collaborators.update({"alice": "write", "mallory": "read"})
    number = open_pull(github, "feature")
    runs: list[CiRun] = []

    def event(name: str, payload: dict) -> CiRun:
        run = run_event(agent_repo, monkeypatch, github, name, payload, ANTHROPIC_API_KEY=STANDIN_API_KEY)
        runs.append(run)
        return run

    assert (
        event(
            "pull_request", payloads.pull_request("opened", number, base_sha=base, head_sha=head)
        ).result.exit_code
        == 0
    )
    for login, body in (
        ("alice", "/promptops eval"),
        ("mallory", "/promptops help"),
        ("alice", "/promptops nope"),
    ):
        comment_id = github.add_comment(number, body, login)
        payload = payloads.issue_comment(body, number=number, login=login, comment_id=comment_id)
        assert event("issue_comment", payload).result.exit_code == 0
    git(
        agent_repo,
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        f"Merge pull request #{number} from octo-org/feature",
    )
    git(agent_repo, "push", "-q", "origin", "main")
    push = event("push", payloads.push(base, git(agent_repo, "rev-parse", "main")))
    assert push.result.exit_code == 0 and "key=*** token=***" in push.out
    assert event("schedule", payloads.schedule()).result.exit_code == 0
    # a GitHub failure ends the job with GitHub's message on stderr
    github.inject("repos/get-collaborator-permission-level", 404)
    comment_id = github.add_comment(number, "/promptops help", "alice")
    failed = event(
        "issue_comment", payloads.issue_comment("/promptops help", number=number, comment_id=comment_id)
    )
    assert failed.result.exit_code == 1 and "GitHub answered 404" in failed.err

    assert anthropic_standin.requests, "the model stand-in was called (the key was really used)"
    outputs = [r.out for r in runs] + [r.err for r in runs] + [r.summary for r in runs]
    outputs += [json.dumps(r.body) for r in github.requests]
    outputs += [c["body"] for c in github.comments.values()]
    for secret in SECRETS:
        leaks = [text for text in outputs if secret in text]
        assert not leaks, f"secret found in output: {leaks[0][:200]}"
