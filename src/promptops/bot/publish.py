"""`promptops pr --session ID` (and `optimize --open-pr`): publish a finished session.

Branch `promptops/<agent>/<prompt>/<goal>` with the winning text in one commit (trailers
name the prompt, base version, goal and session), the session's eval summary as a git
note, a leased push; then the pull request (found or created), its body and one sticky
comment holding the report, labels, and the `promptops/eval` commit status. GitHub commit
statuses have no neutral state: `success` when the session recommends the variant,
`failure` otherwise (so a branch protection rule requiring it blocks a variant that was
not shown to be better). `promptops ci` calls `publish_session` for ChatOps and schedules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from promptops.bot.pr_report import render_report
from promptops.bot.session_report import (
    change_summary,
    eval_note,
    is_recommended,
    load_session,
    session_report,
    winner,
)
from promptops.config import Config
from promptops.errors import InputError
from promptops.git.branches import resolve_default_branch
from promptops.git.commits import PublishResult, publish_variant
from promptops.github.connection import connect_for, no_token_message
from promptops.github.pulls import publish_pull_request, report_labels
from promptops.github.retries import MissingToken, OpenPullLimitReached
from promptops.repo.agents import split_prompt_id


@dataclass(frozen=True)
class PublishOutcome:
    """What publishing a session did; `message` is the sentence for the user."""

    branch: str
    commit: str
    pr_number: int | None
    pr_url: str | None
    comment_id: int | None
    recommended: bool
    message: str
    session_id: str = ""
    pushed: bool = False
    report: str = ""  # the rendered markdown (e.g. for an Actions job summary)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "report"}


def publish_session(
    config: Config,
    session_id_or_path: str | Path,
    *,
    open_pr: bool,
    token: str | None,
    github_base_url: str | None = None,
    prompt_id: str | None = None,
) -> PublishOutcome:
    """Publish session `session_id_or_path`; `open_pr=False` (`--branch-only`) only commits locally.

    `prompt_id`, when given, must be the prompt the session optimized (a guard against a wrong id).
    """
    session, path = load_session(config, session_id_or_path)
    if prompt_id is not None and session["prompt"]["id"] != prompt_id:
        raise InputError(
            f"{path}: session {session['id']} optimized {session['prompt']['id']}, not {prompt_id}"
        )
    chosen = winner(session)
    recommended = is_recommended(session)
    report = render_report(session_report(session, config))
    pushed = _commit_variant(config, session, chosen, push=open_pr)
    outcome = PublishOutcome(
        pushed.branch, pushed.commit, None, None, None, recommended, "", session["id"], pushed.pushed, report
    )
    if not open_pr:
        return replace(
            outcome,
            message=f"committed {_what(session, recommended)} on local branch "
            f"{pushed.branch} (not pushed: --branch-only)",
        )
    return _open_pull(config, session, outcome, report, token, github_base_url)


def _commit_variant(
    config: Config, session: dict[str, Any], chosen: dict[str, Any], *, push: bool
) -> PublishResult:
    prompt = session["prompt"]
    agent, name = split_prompt_id(prompt["id"])
    return publish_variant(
        config.root,
        agent=agent,
        prompt=name,
        goal=session["goal"],
        files={prompt["path"]: chosen["text"]},
        prompt_path=prompt["path"],
        base_version=prompt["base_version"],
        run_id=session["id"],
        summary=change_summary(session),
        note=eval_note(session),
        branch_prefix=config.get("github.branch_prefix") or "promptops",
        configured_default_branch=config.get("default_branch"),
        push=push,
    )


def _open_pull(
    config: Config,
    session: dict[str, Any],
    outcome: PublishOutcome,
    report: str,
    token: str | None,
    base_url: str | None,
) -> PublishOutcome:
    base = resolve_default_branch(config.root, config).name
    try:
        gh = connect_for(config, token, base_url)
    except MissingToken:
        return replace(
            outcome,
            message=f"pushed {outcome.branch}; " + no_token_message(config.root, base, outcome.branch),
        )
    goal, recommended = session["goal"], outcome.recommended
    try:
        result = publish_pull_request(
            gh,
            branch=outcome.branch,
            base=base,
            title=f"promptops({session['prompt']['id']}): {change_summary(session)}",
            body=report,
            comment_key=f"{session['prompt']['id']}/{goal}",
            comment_body=report,
            labels=report_labels(goal, recommended, config.get("github.labels") or ()),
            head_sha=outcome.commit,
            status_state="success" if recommended else "failure",
            status_description=_status_description(session, recommended),
            max_open_prs=config.get("github.max_open_prs"),
            branch_prefix=config.get("github.branch_prefix") or "promptops",
        )
    except OpenPullLimitReached as exc:
        return replace(outcome, message=str(exc))
    verb = "opened" if result.created else "updated"
    return replace(
        outcome,
        pr_number=result.number,
        pr_url=result.url,
        comment_id=result.comment_id,
        message=f"{verb} pull request #{result.number} ({result.url}): {_what(session, recommended)}",
    )


def _status_description(session: dict[str, Any], recommended: bool) -> str:
    verdict = session["holdout"]["verdict"]["headline"]
    return f"{'recommended' if recommended else 'not recommended'}: {verdict} ({change_summary(session)})"


def _what(session: dict[str, Any], recommended: bool) -> str:
    what = f"{session['prompt']['id']}: {change_summary(session)}"
    return what if recommended else f"{what} (published for review, labelled promptops:not-recommended)"
