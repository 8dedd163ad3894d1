"""The re-run checkbox at the end of every bot PR body (`pull_request: edited`).

Ticking `- [ ] <!-- promptops:rerun-eval -->` re-runs the PR evaluation, as `/promptops
eval` would. The box is unticked first, whoever ticked it, so a re-run of the job (or a
later edit) never runs it twice; then the same permission gate as comments applies: only
write, maintain or admin may run anything.
"""

from __future__ import annotations

from promptops.bot.comment import _eval_pull
from promptops.bot.context import CiContext
from promptops.bot.events import CommentEvent, RerunTickedEvent
from promptops.bot.pr_commands import untick


def handle_rerun_ticked(ctx: CiContext, event: RerunTickedEvent) -> None:
    gh = ctx.github()
    pr = gh.pull(event.number)
    gh.call(f"unticking the re-run box of #{event.number}", pr.edit, body=untick(pr.body or event.body))
    if not event.editor or not gh.can_write(event.editor):
        ctx.report.say(
            f"{event.editor or 'unknown user'} ticked the re-run box of #{event.number} without write "
            "permission; unticked, nothing run"
        )
        return
    ctx.report.say(f"{event.editor} ticked the re-run box of #{event.number}: evaluating")
    as_command = CommentEvent(event.repository, event.number, True, 0, "/promptops eval", event.editor)
    ctx.report.say(_eval_pull(ctx, as_command, None))
