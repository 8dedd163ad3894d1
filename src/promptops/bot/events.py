"""GitHub Actions events, read from `GITHUB_EVENT_NAME` and the JSON at `GITHUB_EVENT_PATH`.

Payloads are parsed into small records holding only what promptops acts on. Real
payloads have holes (a deleted head branch, a PR from a deleted fork, a null comment
body); those become a `Skip` with the reason instead of a crash, because in Actions
"nothing to do" must end green.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.dashboard.actions import Action, newly_ticked
from promptops.dashboard.render import DASHBOARD_MARKER
from promptops.errors import InputError

PR_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


@dataclass(frozen=True)
class Skip:
    """An event promptops has nothing to do for; `reason` is printed, exit code is 0."""

    reason: str


@dataclass(frozen=True)
class PullRequestEvent:
    repository: str
    number: int
    action: str
    draft: bool
    base_ref: str
    base_sha: str
    head_ref: str
    head_sha: str
    head_repository: str
    author: str

    @property
    def from_fork(self) -> bool:
        return self.head_repository != self.repository


@dataclass(frozen=True)
class PullRequestClosedEvent:
    """A pull request closed, merged or not: an unmerged optimize PR is a "no" to remember."""

    repository: str
    number: int
    merged: bool
    head_ref: str
    body: str
    closed_by: str


@dataclass(frozen=True)
class RerunTickedEvent:
    """`pull_request: edited` that ticked the re-run checkbox of a promptops PR body."""

    repository: str
    number: int
    body: str
    editor: str


@dataclass(frozen=True)
class DashboardTickedEvent:
    """`issues: edited` that newly ticked boxes of an issue carrying the dashboard marker (whose
    author the handler checks: only the bot's own dashboard is acted on)."""

    repository: str
    number: int
    editor: str
    ticked: tuple[Action, ...]


@dataclass(frozen=True)
class CommentEvent:
    repository: str
    issue_number: int
    on_pull_request: bool
    comment_id: int
    body: str
    commenter: str


@dataclass(frozen=True)
class PushEvent:
    repository: str
    branch: str
    before: str
    after: str
    default_branch: str


@dataclass(frozen=True)
class ScheduledEvent:
    """`schedule` and `workflow_dispatch`: optimize what the config lists."""

    repository: str
    trigger: str
    inputs: dict[str, Any] = field(default_factory=dict)


Event = (
    PullRequestEvent
    | PullRequestClosedEvent
    | RerunTickedEvent
    | DashboardTickedEvent
    | CommentEvent
    | PushEvent
    | ScheduledEvent
    | Skip
)


def read_event(name: str | None, path: str | None) -> Event:
    """The event of this workflow run; InputError when the environment is not Actions'."""
    if not name or not path:
        raise InputError(
            "GITHUB_EVENT_NAME and GITHUB_EVENT_PATH must be set (promptops ci runs inside "
            "GitHub Actions; use the other commands locally)"
        )
    event_file = Path(path)
    try:
        payload = json.loads(event_file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{event_file}: error: event payload file not found") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{event_file}:{exc.lineno}:{exc.colno}: error: {exc.msg}") from exc
    if not isinstance(payload, dict):
        raise InputError(f"{event_file}:1:1: error: expected a JSON object")
    return parse_event(name, payload)


def parse_event(name: str, payload: dict[str, Any]) -> Event:
    parser = _PARSERS.get(name)
    if parser is None:
        return Skip(f"event {name!r} is not one promptops handles")
    try:
        return parser(payload)
    except (KeyError, TypeError) as exc:
        return Skip(f"{name} payload lacks {exc}; nothing to do")


def _repo_name(payload: dict[str, Any]) -> str:
    return payload["repository"]["full_name"]


def _pull_request(payload: dict[str, Any]) -> Event:
    action = payload.get("action", "")
    if action == "closed":
        return _pull_request_closed(payload)
    if action == "edited":
        return _pull_request_edited(payload)
    if action not in PR_ACTIONS:
        return Skip(f"pull_request action {action!r} needs no evaluation")
    pr = payload["pull_request"]
    head_repo = (pr["head"].get("repo") or {}).get("full_name")
    if not head_repo:
        return Skip(f"pull request #{pr['number']} comes from a deleted repository; nothing to evaluate")
    return PullRequestEvent(
        repository=_repo_name(payload),
        number=int(pr["number"]),
        action=action,
        draft=bool(pr.get("draft")),
        base_ref=pr["base"]["ref"],
        base_sha=pr["base"]["sha"],
        head_ref=pr["head"]["ref"],
        head_sha=pr["head"]["sha"],
        head_repository=head_repo,
        author=(pr.get("user") or {}).get("login", ""),
    )


def _pull_request_closed(payload: dict[str, Any]) -> Event:
    pr = payload["pull_request"]
    return PullRequestClosedEvent(
        repository=_repo_name(payload),
        number=int(pr["number"]),
        merged=bool(pr.get("merged")),
        head_ref=pr["head"]["ref"],
        body=pr.get("body") or "",
        closed_by=(payload.get("sender") or {}).get("login", ""),
    )


def _pull_request_edited(payload: dict[str, Any]) -> Event:
    from promptops.bot.pr_commands import rerun_ticked

    pr = payload["pull_request"]
    before = ((payload.get("changes") or {}).get("body") or {}).get("from")
    if not rerun_ticked(pr.get("body")) or rerun_ticked(before):
        return Skip(f"pull request #{pr['number']} edited without ticking the re-run box; nothing to do")
    return RerunTickedEvent(
        repository=_repo_name(payload),
        number=int(pr["number"]),
        body=pr.get("body") or "",
        editor=(payload.get("sender") or {}).get("login", ""),
    )


def _issue_comment(payload: dict[str, Any]) -> Event:
    if payload.get("action") != "created":
        return Skip(f"issue_comment action {payload.get('action')!r} is not a new command")
    comment = payload["comment"]
    body = (comment.get("body") or "").strip()
    if not body.startswith("/promptops"):
        return Skip("comment is not a /promptops command")
    issue = payload["issue"]
    return CommentEvent(
        repository=_repo_name(payload),
        issue_number=int(issue["number"]),
        on_pull_request=bool(issue.get("pull_request")),
        comment_id=int(comment["id"]),
        body=body,
        commenter=(comment.get("user") or {}).get("login", ""),
    )


def _issues(payload: dict[str, Any]) -> Event:
    """`issues: edited`: what the edit ticked, compared with the body before it."""
    issue = payload["issue"]
    if payload.get("action") != "edited":
        return Skip(f"issues action {payload.get('action')!r} needs nothing from promptops")
    body = issue.get("body") or ""
    if not body.lstrip().startswith(DASHBOARD_MARKER):
        return Skip(f"issue #{issue['number']} is not the promptops dashboard; nothing to do")
    before = ((payload.get("changes") or {}).get("body") or {}).get("from")
    ticked = newly_ticked(before, body)
    if not ticked:
        return Skip(f"dashboard issue #{issue['number']} edited without ticking a box; nothing to do")
    return DashboardTickedEvent(
        repository=_repo_name(payload),
        number=int(issue["number"]),
        editor=(payload.get("sender") or {}).get("login", ""),
        ticked=tuple(ticked),
    )


def _push(payload: dict[str, Any]) -> Event:
    ref = payload.get("ref", "")
    default = payload["repository"].get("default_branch", "main")
    if payload.get("deleted") or set(payload.get("after", "")) == {"0"}:
        return Skip(f"push deleted {ref}; nothing deployed")
    if ref != f"refs/heads/{default}":
        return Skip(f"push to {ref}, not the default branch {default}; nothing deployed")
    return PushEvent(
        repository=_repo_name(payload),
        branch=default,
        before=payload["before"],
        after=payload["after"],
        default_branch=default,
    )


def _scheduled(trigger: str):  # noqa: ANN202 - a tiny factory for two parsers
    def parse(payload: dict[str, Any]) -> Event:
        repo = (payload.get("repository") or {}).get("full_name", "")
        return ScheduledEvent(repository=repo, trigger=trigger, inputs=dict(payload.get("inputs") or {}))

    return parse


_PARSERS = {
    "pull_request": _pull_request,
    "issue_comment": _issue_comment,
    "issues": _issues,
    "push": _push,
    "schedule": _scheduled("schedule"),
    "workflow_dispatch": _scheduled("workflow_dispatch"),
}
