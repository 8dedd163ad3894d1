import json
from pathlib import Path

import pytest

from promptops.bot.commands import ChatUsageError, parse_command
from promptops.bot.events import (
    CommentEvent,
    PullRequestEvent,
    PushEvent,
    ScheduledEvent,
    Skip,
    parse_event,
    read_event,
)
from promptops.errors import InputError
from tests.ci import payloads

A, B = "a" * 40, "b" * 40


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "ready_for_review"])
def test_pull_request_actions_that_need_evaluation(action: str) -> None:
    event = parse_event("pull_request", payloads.pull_request(action, 3, base_sha=A, head_sha=B))
    assert isinstance(event, PullRequestEvent)
    assert (event.number, event.base_sha, event.head_sha, event.from_fork) == (3, A, B, False)


def test_pull_request_other_actions_are_skipped() -> None:
    event = parse_event("pull_request", payloads.pull_request("labeled", 3, base_sha=A, head_sha=B))
    assert isinstance(event, Skip) and "labeled" in event.reason


def test_fork_and_deleted_fork() -> None:
    fork = payloads.repository("mallory/agents", fork=True)
    event = parse_event(
        "pull_request", payloads.pull_request("opened", 4, base_sha=A, head_sha=B, head_repo=fork)
    )
    assert isinstance(event, PullRequestEvent) and event.from_fork
    gone = parse_event(
        "pull_request", payloads.pull_request("opened", 4, base_sha=A, head_sha=B, head_repo=None)
    )
    assert isinstance(gone, Skip) and "deleted repository" in gone.reason


def test_comment_commands_and_null_bodies() -> None:
    event = parse_event("issue_comment", payloads.issue_comment("/promptops eval support-agent"))
    assert isinstance(event, CommentEvent)
    assert (event.issue_number, event.on_pull_request, event.commenter) == (7, True, "alice")
    assert isinstance(parse_event("issue_comment", payloads.issue_comment(None)), Skip)
    assert isinstance(parse_event("issue_comment", payloads.issue_comment("looks good")), Skip)
    edited = payloads.issue_comment("/promptops help", action="edited")
    assert isinstance(parse_event("issue_comment", edited), Skip)


def test_push_to_default_branch_only() -> None:
    event = parse_event("push", payloads.push(A, B))
    assert isinstance(event, PushEvent) and event.after == B
    assert isinstance(parse_event("push", payloads.push(A, B, ref="refs/heads/feature")), Skip)
    assert isinstance(parse_event("push", payloads.push(A, "0" * 40, deleted=True)), Skip)


def test_schedule_and_dispatch() -> None:
    event = parse_event("workflow_dispatch", payloads.workflow_dispatch({"goal": "speed"}))
    assert isinstance(event, ScheduledEvent) and event.inputs == {"goal": "speed"}
    assert isinstance(parse_event("schedule", payloads.schedule()), ScheduledEvent)


def test_payload_missing_fields_is_a_skip_not_a_crash() -> None:
    payload = payloads.pull_request("opened", 3, base_sha=A, head_sha=B)
    del payload["pull_request"]["base"]
    event = parse_event("pull_request", payload)
    assert isinstance(event, Skip) and "base" in event.reason


def test_read_event_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="GITHUB_EVENT_NAME and GITHUB_EVENT_PATH must be set"):
        read_event(None, None)
    bad = tmp_path / "event.json"
    bad.write_text("{\n  nope\n}")
    with pytest.raises(InputError, match=r"event.json:2:3: error: Expecting property name"):
        read_event("push", str(bad))
    bad.write_text(json.dumps(payloads.push(A, B)))
    assert isinstance(read_event("push", str(bad)), PushEvent)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "/promptops optimize support-agent/system --goal conciseness",
            ("optimize", "support-agent/system", "conciseness"),
        ),
        (
            "/promptops optimize support-agent/system --goal=speed\nthanks!",
            ("optimize", "support-agent/system", "speed"),
        ),
        ("/promptops eval", ("eval", None, None)),
        ("/promptops rollback support-agent/system --to v3", ("rollback", "support-agent/system", None)),
        (
            "/promptops unignore support-agent/user_template --goal clarity",
            ("unignore", "support-agent/user_template", "clarity"),
        ),
        ("/promptops", ("help", None, None)),
        ("/promptops help", ("help", None, None)),
    ],
)
def test_parse_valid_commands(body: str, expected: tuple[str, str | None, str | None]) -> None:
    command = parse_command(body)
    assert (command.name, command.prompt_id, command.goal) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("/promptops deploy x/y", "unknown command 'deploy'"),
        ("/promptops optimize support-agent/system --goal fast", "--goal must be one of"),
        ("/promptops optimize --goal speed", "one prompt id"),
        ("/promptops rollback support-agent/system", "rollback needs --to"),
        ("/promptops eval a b", "at most one agent"),
        ("/promptops unignore support-agent/system --goal fast", "--goal must be one of"),
        ("/promptops unignore --goal speed", "unignore takes one prompt id"),
        ("/promptops optimize x/y --goal", "--goal needs a value"),
        ("/promptops optimize 'x/y --goal speed", "cannot parse"),
    ],
)
def test_parse_bad_commands(body: str, message: str) -> None:
    with pytest.raises(ChatUsageError, match=message):
        parse_command(body)
