"""`promptops ci`: read the GitHub Actions event and hand it to the module that handles it.

One entry point for every trigger keeps the workflow file trivial (`run: promptops ci`)
and puts every decision in tested Python. One module per event: `pull_request`,
`pr_closed`, `comment`, `push`, `schedule`, `dashboard_issue` (`issues: edited`); what they
share is in `context`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from promptops.bot.context import CiContext, CiEnvironment, CiReport, Redactor
from promptops.bot.events import (
    CommentEvent,
    DashboardTickedEvent,
    Event,
    PullRequestClosedEvent,
    PullRequestEvent,
    PushEvent,
    RerunTickedEvent,
    ScheduledEvent,
    Skip,
    read_event,
)
from promptops.config import Config
from promptops.errors import PromptopsError


def run_ci(config: Config, env: Mapping[str, str] | None = None) -> CiReport:
    """Handle the event of this workflow run; never raises for a PromptopsError (it is in the report)."""
    env = os.environ if env is None else env
    ci_env = CiEnvironment.from_env(env)
    ctx = CiContext(config, ci_env, CiReport(), Redactor.from_env(env, config), env)
    try:
        event = read_event(ci_env.event_name, ci_env.event_path)
        if ctx.env.repository is None and not isinstance(event, Skip) and event.repository:
            ctx.env = replace(ci_env, repository=event.repository)
        _dispatch(ctx, event)
    except PromptopsError as exc:
        ctx.report.error = str(exc)
        ctx.report.exit_code = exc.exit_code
        ctx.report.summary.append(f"**promptops failed:** {exc}")
    _report_forgeries(ctx)
    return _redacted(ctx.report, ctx.redact)


def _report_forgeries(ctx: CiContext) -> None:
    """Comments carrying promptops' marker that someone else wrote: ignored, and said so here."""
    forged = ctx._github.forged if ctx._github is not None else []
    if forged:
        ctx.report.say(
            f"ignored {len(forged)} comment(s) carrying promptops' marker written by someone else: "
            + "; ".join(forged)
        )


def _dispatch(ctx: CiContext, event: Event) -> None:
    # Imported here: each handler pulls in the eval engine or the optimizer only when needed.
    if isinstance(event, Skip):
        ctx.report.say(f"promptops: {event.reason}")
    elif isinstance(event, PullRequestEvent):
        from promptops.bot.pull_request import handle_pull_request

        handle_pull_request(ctx, event)
    elif isinstance(event, PullRequestClosedEvent):
        from promptops.bot.pr_closed import handle_closed_pull

        handle_closed_pull(ctx, event)
    elif isinstance(event, RerunTickedEvent):
        from promptops.bot.pr_checkbox import handle_rerun_ticked

        handle_rerun_ticked(ctx, event)
    elif isinstance(event, DashboardTickedEvent):
        from promptops.bot.dashboard_issue import handle_dashboard_ticked

        handle_dashboard_ticked(ctx, event)
    elif isinstance(event, CommentEvent):
        from promptops.bot.comment import handle_comment

        handle_comment(ctx, event)
    elif isinstance(event, PushEvent):
        from promptops.bot.push import handle_push

        handle_push(ctx, event)
    elif isinstance(event, ScheduledEvent):
        from promptops.bot.schedule import handle_schedule

        handle_schedule(ctx, event)


def _redacted(report: CiReport, redact: Redactor) -> CiReport:
    return CiReport(
        lines=[redact(line) for line in report.lines],
        summary=[redact(part) for part in report.summary],
        exit_code=report.exit_code,
        error=redact(report.error) if report.error else None,
        outputs=dict(report.outputs),
    )
