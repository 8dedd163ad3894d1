"""The prompt dashboard issue on GitHub: kept up to date, and its ticked boxes run.

`refresh_dashboard` renders the dashboard (`promptops.dashboard`) and writes it into the one
issue the bot opened for it, found by its marker and the bot's authorship; the first run
creates it, later runs edit it in place (and leave it alone when nothing changed). The
scheduled run and each deploy call it.

`handle_dashboard_ticked` answers `issues: edited` when the edit newly ticked boxes: the
boxes are unticked first (so a re-run of the job, or the next edit, never runs them
twice), then the editor passes the same gate as `/promptops` comments (write, maintain or
admin), then each box runs as the `/promptops` command it names. The results go to one
comment on the issue, edited in place, and to the job summary; the dashboard is refreshed.
"""

from __future__ import annotations

from promptops.bot.commands import ChatUsageError, parse_command
from promptops.bot.comment import _run
from promptops.bot.context import CiContext
from promptops.bot.events import CommentEvent, DashboardTickedEvent
from promptops.dashboard.actions import Action, untick
from promptops.dashboard.gather import gather_dashboard
from promptops.dashboard.render import DASHBOARD_MARKER, TITLE, issue_body
from promptops.errors import InputError, PromptopsError
from promptops.github.issues import create_issue, edit_issue_body, find_own_issue, get_issue
from promptops.github.open_pulls import open_pulls
from promptops.markdown import escape_text

RESULTS_KEY = "dashboard-actions"


def refresh_dashboard(ctx: CiContext) -> None:
    """Write the dashboard issue (create it once, then edit it); a failure is reported, and
    fails the job, without undoing what the run did before."""
    if not ctx.config.get("github.dashboard"):
        ctx.report.say("dashboard issue not refreshed: it is off (github.dashboard: false)")
        return
    if not ctx.env.token:
        ctx.report.say("dashboard issue not refreshed: no GITHUB_TOKEN in this run")
        return
    try:
        _refresh(ctx)
    except PromptopsError as exc:
        ctx.report.say(f"dashboard issue not refreshed: {exc}")
        ctx.report.exit_code = ctx.report.exit_code or exc.exit_code


def _refresh(ctx: CiContext) -> None:
    gh = ctx.github()
    dashboard = gather_dashboard(ctx.config, pulls=open_pulls(gh), repository=gh.full_name, fetch=True)
    body = ctx.redact(issue_body(dashboard))
    labels = list(ctx.config.get("github.labels"))
    found = find_own_issue(gh, DASHBOARD_MARKER, labels[0] if labels else None)
    for forged in found.forged:
        ctx.report.say(f"ignored issue {forged}: it has the dashboard marker, but promptops did not open it")
    if found.issue is None:
        issue = create_issue(gh, TITLE, body, labels)
        ctx.report.say(f"opened the dashboard issue #{issue.number}: {issue.html_url}")
    elif (found.issue.body or "") == body:
        ctx.report.say(f"dashboard issue #{found.issue.number} unchanged")
    else:
        edit_issue_body(gh, found.issue, body)
        ctx.report.say(f"updated the dashboard issue #{found.issue.number}: {found.issue.html_url}")


def handle_dashboard_ticked(ctx: CiContext, event: DashboardTickedEvent) -> None:
    gh = ctx.github()
    issue = get_issue(gh, event.number)
    author = issue.user.login if issue.user else "unknown"
    if author != gh.identity:
        ctx.report.say(
            f"ignored issue #{event.number}: it carries promptops' dashboard marker but was opened by "
            f"{author}, not promptops; nothing run"
        )
        return
    edit_issue_body(gh, issue, untick(issue.body or "", list(event.ticked)))
    if not event.editor or not gh.can_write(event.editor):
        ctx.report.say(
            f"{event.editor or 'unknown user'} ticked {len(event.ticked)} box(es) of the dashboard issue "
            f"#{event.number} without write permission; unticked, nothing run"
        )
        return
    results = [_run_action(ctx, event, action) for action in event.ticked]
    ctx.comment(event.number, RESULTS_KEY, "\n\n".join(results))
    refresh_dashboard(ctx)


def _run_action(ctx: CiContext, event: DashboardTickedEvent, action: Action) -> str:
    """Run one ticked box as its `/promptops` command; the markdown line that reports it."""
    ctx.report.say(f"{event.editor} ticked `{action.command}` on the dashboard issue #{event.number}")
    as_comment = CommentEvent(event.repository, event.number, False, 0, action.command, event.editor)
    head = f"**{escape_text(event.editor)}** ticked `{action.command}`:"
    try:
        body = _run(ctx, as_comment, parse_command(action.command))
    except ChatUsageError as exc:
        body = f"not a valid command: {escape_text(str(exc))}"
    except PromptopsError as exc:
        ctx.report.say(f"{action.command} failed: {exc}")
        if not isinstance(exc, InputError):  # the box was fine: the run itself failed
            ctx.report.exit_code = exc.exit_code
        body = f"failed: {escape_text(str(exc))}"
    return f"{head}\n\n{body}"
