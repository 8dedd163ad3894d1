"""`pull_request: closed`: a promptops optimize PR closed without merging is a "no".

The PR body's marker (written by `pr_commands`) names the prompt, goal and base version;
the head branch must be the one promptops would use for them, so a marker pasted into
someone else's PR records nothing. The ignore is recorded (`ignores`) and the PR gets one
comment (re-runs edit it) saying what promptops will no longer do and how to undo it:
`/promptops unignore`, handled here too.
"""

from __future__ import annotations

from promptops.bot.context import CiContext
from promptops.bot.events import PullRequestClosedEvent
from promptops.bot.ignores import Ignore, now_iso, record_ignore, remove_ignore
from promptops.bot.pr_commands import command_line, read_marker
from promptops.git.commits import variant_branch
from promptops.markdown import inline_code
from promptops.repo.agents import split_prompt_id

COMMENT_KEY = "ignored"


def handle_closed_pull(ctx: CiContext, event: PullRequestClosedEvent) -> None:
    if event.merged:
        ctx.report.say(f"pull request #{event.number} was merged; the push to the default branch deploys it")
        return
    marker = read_marker(event.body)
    prefix = ctx.config.get("github.branch_prefix")
    if marker is None or event.head_ref != _branch(marker.prompt_id, marker.goal, prefix):
        ctx.report.say(f"pull request #{event.number} is not a promptops optimize PR; nothing to remember")
        return
    ignore = Ignore(
        marker.prompt_id, marker.goal, marker.base_version, event.number, event.closed_by, now_iso()
    )
    record_ignore(ctx.config, ignore)
    ctx.comment(event.number, COMMENT_KEY, closed_comment(ignore))
    ctx.report.say(
        f"#{event.number} closed unmerged: {marker.prompt_id} goal {marker.goal} ignored at version "
        f"{marker.base_version[:10]}"
    )


def closed_comment(ignore: Ignore) -> str:
    undo = command_line("unignore", prompt=ignore.prompt_id, goal=ignore.goal)
    return (
        f"Closed without merging, so promptops will not propose goal {inline_code(ignore.goal)} for "
        f"{inline_code(ignore.prompt_id)} again while the prompt stays at version "
        f"{inline_code(ignore.version_id[:10])}. When the prompt changes, it may be proposed again.\n\n"
        f"To undo this now, comment {inline_code(undo)}."
    )


def _branch(prompt_id: str, goal: str, prefix: str) -> str:
    agent, name = split_prompt_id(prompt_id)
    return variant_branch(agent, name, goal, prefix)


def unignore_reply(ctx: CiContext, prompt_id: str, goal: str) -> str:
    """`/promptops unignore`: forget the "no" for the prompt's current version; the reply."""
    removed = remove_ignore(ctx.config, prompt_id, goal)
    what = f"goal {inline_code(goal)} for {inline_code(prompt_id)}"
    if removed is None:
        ctx.report.say(f"unignore {prompt_id} --goal {goal}: nothing was ignored")
        return f"Nothing to undo: {what} is not ignored at the prompt's current version."
    ctx.report.say(f"unignore {prompt_id} --goal {goal}: the ignore from #{removed.pr} is removed")
    return (
        f"The scheduled run may propose {what} again "
        f"(the ignore recorded when #{removed.pr} was closed is removed)."
    )
