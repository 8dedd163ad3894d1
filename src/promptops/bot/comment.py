"""`/promptops ...` comments: the permission gate, the acknowledgement, then the command.

Order matters: the gate comes first, so a commenter without write access makes promptops
do nothing but say (once) who may run commands; only then is the comment acknowledged
with 👀 and parsed. Every reply is the comment `reply-<comment id>`, so a re-run of the
same job edits its reply instead of posting another. User text only ever reaches a
reply escaped (`promptops.markdown`), so a command cannot inject markdown or ping people.

Pull requests from forks are never evaluated from a comment: the comment's workflow run
has this repository's secrets, and the fork's files would be run with them.
"""

from __future__ import annotations

from promptops.bot.commands import HELP, ChatCommand, ChatUsageError, parse_command
from promptops.bot.context import CiContext
from promptops.bot.events import CommentEvent
from promptops.bot.pull_request import changed_agents, evaluate_pull, report_pull
from promptops.errors import InputError, NotFoundError, PromptopsError
from promptops.evals.command import EvalOptions, run_eval_command
from promptops.evals.markdown_report import markdown_report
from promptops.git.branches import default_branch_ref
from promptops.git.refs import has_commit, merge_base
from promptops.llm.errors import MissingAPIKey
from promptops.markdown import escape_text, fence
from promptops.repo.agents import list_agents


def handle_comment(ctx: CiContext, event: CommentEvent) -> None:
    gh = ctx.github()
    if not event.commenter or not gh.can_write(event.commenter):
        who = escape_text(event.commenter or "this user")
        ctx.comment(
            event.issue_number,
            _reply_key(event),
            f"Sorry {who}, `/promptops` commands run only for people with write, maintain or admin "
            "permission on this repository. Nothing was run.",
        )
        ctx.report.say(f"{event.commenter or 'unknown user'} lacks write permission; nothing run")
        return
    gh.react(event.issue_number, event.comment_id, "eyes")
    try:
        command = parse_command(event.body)
    except ChatUsageError as exc:
        _reply(ctx, event, f"**{escape_text(str(exc))}**\n\n{fence(HELP)}")
        ctx.report.say(f"bad command from {event.commenter}: {exc}")
        return
    ctx.report.say(f"{event.commenter} ran /promptops {command.name} on #{event.issue_number}")
    try:
        body = _run(ctx, event, command)
    except PromptopsError as exc:
        body = f"`/promptops {command.name}` failed: {escape_text(str(exc))}"
        ctx.report.say(f"/promptops {command.name} failed: {exc}")
        if not isinstance(exc, InputError):  # the user's input was fine: the run itself failed
            ctx.report.exit_code = exc.exit_code
    _reply(ctx, event, body)


def _reply_key(event: CommentEvent) -> str:
    return f"reply-{event.comment_id}"


def _reply(ctx: CiContext, event: CommentEvent, body: str) -> str:
    return ctx.comment(event.issue_number, _reply_key(event), body)


def _run(ctx: CiContext, event: CommentEvent, command: ChatCommand) -> str:
    if command.name == "help":
        return fence(HELP)
    if command.name == "eval":
        if event.on_pull_request:
            return _eval_pull(ctx, event, command.agent)
        return _eval_default_branch(ctx, command.agent)
    if command.name == "optimize":
        from promptops.bot.ci_publish import optimize_and_publish

        return optimize_and_publish(ctx, command.prompt_id or "", command.goal or "")
    if command.name == "rollback":
        from promptops.bot.ci_publish import rollback_and_publish

        return rollback_and_publish(ctx, command.prompt_id or "", command.to or "")
    raise PromptopsError(f"unknown command {command.name}")


def _eval_pull(ctx: CiContext, event: CommentEvent, agent: str | None) -> str:
    pr = ctx.github().pull(event.issue_number)
    head_repo = pr.head.repo.full_name if pr.head.repo else None
    if head_repo != ctx.github().full_name:
        return (
            "Not evaluated: this pull request comes from a fork"
            + (f" ({escape_text(head_repo)})" if head_repo else " that was deleted")
            + ". Commands run with this repository's secrets, so promptops does not run a fork's "
            "files from a comment. Push the branch to this repository to evaluate it."
        )
    head, base_tip = pr.head.sha, pr.base.sha
    if not has_commit(ctx.root, head):
        raise PromptopsError(
            f"head commit {head[:12]} of #{pr.number} is not in this clone (fetch-depth: 0?)"
        )
    base = merge_base(ctx.root, base_tip, head)
    if agent:
        _check_agent(ctx, agent, head)
    agents = [agent] if agent else changed_agents(ctx.config, base, head)
    if not agents:
        return "This pull request changes no agent; nothing to evaluate (name one: `/promptops eval AGENT`)."
    evaluation = evaluate_pull(ctx.config, base, head, agents)
    url = report_pull(ctx, pr.number, evaluation)
    state, description = evaluation.state
    return (
        f"Evaluated {escape_text(', '.join(agents))}: **{state}** ({escape_text(description)}). Report: {url}"
    )


def _check_agent(ctx: CiContext, agent: str, ref: str) -> None:
    known = list_agents(ctx.config, ref)
    if agent not in known:
        raise NotFoundError(f"no agent {agent!r} at {ref[:10]}; agents: {', '.join(known) or 'none'}")


def _eval_default_branch(ctx: CiContext, agent: str | None) -> str:
    ref = default_branch_ref(ctx.root, ctx.config)
    if agent:
        _check_agent(ctx, agent, ref)
    agents = [agent] if agent else list_agents(ctx.config, ref)
    if not agents:
        return f"No agents under {escape_text(ctx.config.data['prompts_dir'])}/ on the default branch."
    parts = []
    for agent_id in agents:
        try:
            outcome = run_eval_command(ctx.config, EvalOptions(agent_id=agent_id, ref=ref))
        except MissingAPIKey:
            return "Evaluation skipped: no model credentials in this workflow run."
        parts.append(markdown_report(outcome.head))
    ctx.report.summary.extend(parts)
    return "\n\n".join(parts)
