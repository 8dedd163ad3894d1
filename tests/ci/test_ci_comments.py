"""`/promptops ...` comments through `promptops ci`: the gate, the reaction, each command."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.bot.commands import HELP
from tests.ci import payloads
from tests.ci.conftest import AGENT, CiRun, feature_branch, open_pull, run_event
from tests.standins.github_server import GitHubStandin


def comment_event(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    github: GitHubStandin,
    number: int,
    body: str,
    login: str,
    *,
    on_pr: bool = True,
) -> tuple[CiRun, int]:
    """A person's comment on #number in the stand-in, then `promptops ci` for its event."""
    comment_id = github.add_comment(number, body, login)
    payload = payloads.issue_comment(body, number=number, on_pr=on_pr, login=login, comment_id=comment_id)
    return run_event(repo, monkeypatch, github, "issue_comment", payload), comment_id


@pytest.fixture
def pull(agent_repo: Path, github: GitHubStandin) -> int:
    feature_branch(agent_repo, {f"{AGENT}/system.md": "You are a support agent. Be brief.\n"})
    github.collaborators.update({"alice": "write", "mallory": "read", "root": "admin"})
    return open_pull(github, "feature")


def bot_bodies(github: GitHubStandin) -> list[str]:
    return [
        c["body"]
        for c in sorted(github.comments.values(), key=lambda c: c["id"])
        if c["login"] == github.login
    ]


def test_read_permission_gets_one_reply_and_nothing_runs(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: int
) -> None:
    run, comment_id = comment_event(agent_repo, monkeypatch, github, pull, "/promptops eval", "mallory")
    assert run.result.exit_code == 0, run.err
    [reply] = bot_bodies(github)
    assert "run only for people with write, maintain or admin permission" in reply
    assert "Nothing was run." in reply
    assert github.reactions.get(comment_id) is None
    assert github.statuses == {}
    assert not (agent_repo / ".promptops" / "runs").exists()
    assert "mallory lacks write permission; nothing run" in run.out

    # the same event delivered again (a re-run of the job) edits that reply, no second one
    payload = payloads.issue_comment("/promptops eval", number=pull, login="mallory", comment_id=comment_id)
    run_event(agent_repo, monkeypatch, github, "issue_comment", payload)
    assert len(bot_bodies(github)) == 1


def test_write_permission_eval_on_pull_request(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: int
) -> None:
    run, comment_id = comment_event(agent_repo, monkeypatch, github, pull, "/promptops eval", "alice")
    assert run.result.exit_code == 0, run.err
    assert [r["content"] for r in github.reactions[comment_id]] == ["eyes"]
    report, reply = bot_bodies(github)
    assert report.startswith("<!-- promptops:report eval -->")
    assert "### support-agent: **regression**" in report
    assert reply.startswith(f"<!-- promptops:report reply-{comment_id} -->")
    assert "Evaluated support-agent: **failure** (regression in support-agent)" in reply
    assert "#issuecomment-" in reply  # links the report
    head = github.pulls[pull]["head_sha"]
    assert github.latest_statuses(head)["promptops/eval"]["state"] == "failure"


def test_eval_on_an_issue_evaluates_the_default_branch(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: int
) -> None:
    github.issue_labels[50] = []  # issue #50 exists
    run, _ = comment_event(
        agent_repo, monkeypatch, github, 50, "/promptops eval support-agent", "root", on_pr=False
    )
    assert run.result.exit_code == 0, run.err
    [reply] = bot_bodies(github)
    assert "## promptops eval: support-agent" in reply
    assert "pass rate **100.0%**" in reply  # main still has the refund policy
    assert github.statuses == {}


def test_bad_command_replies_with_the_error_and_help(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: int
) -> None:
    run, comment_id = comment_event(
        agent_repo, monkeypatch, github, pull, "/promptops deploy-everything <b>@octo-org/admins</b>", "alice"
    )
    assert run.result.exit_code == 0, run.err
    [reply] = bot_bodies(github)
    assert "unknown command 'deploy-everything'" in reply
    assert HELP.splitlines()[2] in reply
    assert [r["content"] for r in github.reactions[comment_id]] == ["eyes"]


def test_user_text_in_a_reply_is_escaped(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: int
) -> None:
    run, _ = comment_event(agent_repo, monkeypatch, github, pull, "/promptops eval @octo-org/admins", "alice")
    assert run.result.exit_code == 0, run.err
    [reply] = bot_bodies(github)
    assert "failed" in reply
    assert "@octo-org" not in reply and "@\u200docto-org" in reply


def test_help(agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: int) -> None:
    run, _ = comment_event(agent_repo, monkeypatch, github, pull, "/promptops help", "alice")
    assert run.result.exit_code == 0, run.err
    [reply] = bot_bodies(github)
    assert HELP in reply


def test_comment_that_is_no_command_or_has_no_body(agent_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for body in (None, "LGTM"):
        run = run_event(agent_repo, monkeypatch, None, "issue_comment", payloads.issue_comment(body))
        assert run.result.exit_code == 0
        assert run.out.strip() == "promptops: comment is not a /promptops command"


def test_eval_of_a_fork_pull_request_is_refused_from_a_comment(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: int
) -> None:
    """Comment runs have the secrets; the fork's files must not be evaluated with them."""
    own_ref_json = github._ref_json

    def fork_head(branch: str, sha: str) -> dict:
        ref = own_ref_json(branch, sha)
        if branch == "feature":
            ref["repo"] = {**ref["repo"], "full_name": "mallory/agents", "fork": True}
        return ref

    monkeypatch.setattr(github, "_ref_json", fork_head)
    run, comment_id = comment_event(agent_repo, monkeypatch, github, pull, "/promptops eval", "alice")
    assert run.result.exit_code == 0, run.err
    [reply] = bot_bodies(github)
    assert "Not evaluated: this pull request comes from a fork (mallory/agents)" in reply
    assert github.statuses == {}
    assert not (agent_repo / ".promptops" / "runs").exists()
