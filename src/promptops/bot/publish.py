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

from promptops.bot.pr_commands import optimize_commands, with_commands
from promptops.bot.pr_report import ReportData, render_report
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
from promptops.git.push import BranchEditedByHand
from promptops.github.connection import connect_for, no_token_message
from promptops.github.pulls import publish_pull_request, report_labels
from promptops.github.retries import MissingToken, OpenPullLimitReached
from promptops.markdown import COMMENT_LIMIT, JOB_SUMMARY_LIMIT
from promptops.optimize.session import cases_digest
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
    report: str = ""  # the rendered markdown posted on the PR (within GitHub's comment limit)
    full_report: str = ""  # the same within the job summary's limit, where the PR's cut notes point

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("report", "full_report")}


def publish_session(
    config: Config,
    session_id_or_path: str | Path,
    *,
    open_pr: bool,
    token: str | None,
    github_base_url: str | None = None,
    prompt_id: str | None = None,
    run_url: str | None = None,
) -> PublishOutcome:
    """Publish session `session_id_or_path`; `open_pr=False` (`--branch-only`) only commits locally.

    `prompt_id`, when given, must be the prompt the session optimized (a guard against a wrong id).
    `run_url`, the Actions run the report links to and whose job summary gets `full_report`: a
    report cut to fit the PR links there.
    """
    session, path = load_session(config, session_id_or_path)
    if prompt_id is not None and session["prompt"]["id"] != prompt_id:
        raise InputError(
            f"{path}: session {session['id']} optimized {session['prompt']['id']}, not {prompt_id}"
        )
    check_cases_unchanged(config, session, path)
    chosen = winner(session)
    recommended = is_recommended(session)
    if open_pr and not recommended and config.get("github.not_recommended") == "skip":
        what = f"{session['prompt']['id']}: {change_summary(session)}"
        message = f"{what} is not recommended; nothing published (github.not_recommended: skip)"
        return PublishOutcome("", "", None, None, None, False, message, session["id"])
    data = replace(session_report(session, config), full_report_url=run_url or "", run_url=run_url or "")
    report = render_report(data)
    try:
        pushed = _commit_variant(config, session, chosen, push=open_pr)
    except BranchEditedByHand as exc:
        from promptops.bot.handback import say_branch_is_theirs

        message = say_branch_is_theirs(config, token, github_base_url, exc)
        return PublishOutcome(
            exc.branch, "", None, None, None, recommended, message, session["id"], False, report
        )
    outcome = PublishOutcome(
        pushed.branch, pushed.commit, None, None, None, recommended, "", session["id"], pushed.pushed, report
    )
    outcome = replace(outcome, full_report=render_report(data, JOB_SUMMARY_LIMIT))
    if not open_pr:
        return replace(
            outcome,
            message=f"committed {_what(session, recommended)} on local branch "
            f"{pushed.branch} (not pushed: --branch-only)",
        )
    return _open_pull(config, session, data, outcome, report, token, github_base_url)


def check_cases_unchanged(config: Config, session: dict[str, Any], path: Path) -> None:
    """InputError unless the cases file is byte for byte the one the session measured on:
    evidence from other cases must not go into a pull request as if it were current."""
    cases = session.get("cases")
    rerun = f"re-run `promptops optimize {session['prompt']['id']} --goal {session['goal']}`"
    if not cases:
        if session.get("holdout"):
            raise InputError(f"{path}: session {session['id']} does not record its cases file; {rerun}")
        return  # nothing was measured on cases (an unevaluated proposal)
    file = config.root / cases["path"]
    if not file.is_file():
        raise InputError(f"{path}: the cases file {cases['path']} the session measured on is gone; {rerun}")
    now = cases_digest(file)
    if now != cases["sha256"]:
        raise InputError(
            f"{path}: {cases['path']} changed since session {session['id']} measured on it (sha256 "
            f"{cases['sha256'][:12]}, now {now[:12]}), so its evidence is stale; {rerun}"
        )


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
        branch_prefix=config.get("github.branch_prefix"),
        configured_default_branch=config.get("default_branch"),
        push=push,
    )


def _open_pull(
    config: Config,
    session: dict[str, Any],
    data: ReportData,
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
    body = _pull_body(session, data)
    try:
        result = publish_pull_request(
            gh,
            branch=outcome.branch,
            base=base,
            title=f"promptops({session['prompt']['id']}): {change_summary(session)}",
            body=body,
            comment_key=f"{session['prompt']['id']}/{goal}",
            comment_body=report,
            labels=report_labels(goal, recommended, config.get("github.labels") or ()),
            head_sha=outcome.commit,
            status_state="success" if recommended else "failure",
            status_description=_status_description(session, recommended),
            max_open_prs=config.get("github.max_open_prs"),
            branch_prefix=config.get("github.branch_prefix"),
            draft=not recommended,  # github.not_recommended: draft (skip returned earlier)
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


def _pull_body(session: dict[str, Any], data: ReportData) -> str:
    """The report, cut to leave room for the Commands section that must end every bot PR."""
    prompt = session["prompt"]
    section = optimize_commands(prompt["id"], session["goal"], prompt["base_version"])
    report = render_report(data, limit=COMMENT_LIMIT - len(section) - 8)
    return with_commands(report, section)


def _status_description(session: dict[str, Any], recommended: bool) -> str:
    verdict = session["holdout"]["verdict"]["headline"]
    return f"{'recommended' if recommended else 'not recommended'}: {verdict} ({change_summary(session)})"


def _what(session: dict[str, Any], recommended: bool) -> str:
    what = f"{session['prompt']['id']}: {change_summary(session)}"
    return (
        what
        if recommended
        else f"{what} (published as a draft for review, labelled promptops:not-recommended)"
    )
