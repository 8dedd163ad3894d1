"""`/promptops ...` comments: the permission gate, the acknowledgement, then the command.

Order matters: the gate comes first, so a commenter without write access makes promptops
do nothing but say (once) who may run commands; only then is the comment acknowledged
with 👀 and parsed. Every reply is the comment `reply-<comment id>`, so a re-run of the
same job edits its reply instead of posting another. User text only ever reaches a
reply escaped (`promptops.markdown`), so a command cannot inject markdown or ping people.

On a fork's pull request, `/promptops eval` evaluates the fork's prompt files only: read
as git blobs from the head commit (fetched as `refs/pull/N/head`), never installed or run;
the agent definition, cases, settings and provider are the base's. That is how a maintainer
spends this repository's key on a fork without handing the fork any code path.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptops.bot.commands import HELP, ChatCommand, ChatUsageError, parse_command
from promptops.bot.context import CiContext
from promptops.bot.events import CommentEvent
from promptops.bot.gate_report import record_approval
from promptops.bot.pull_request import changed_agents, judge_pull, settings_changed
from promptops.config import Config
from promptops.errors import InputError, NotFoundError, PromptopsError
from promptops.evals.command import EvalOptions, run_eval_command
from promptops.evals.gate import GateResult
from promptops.evals.markdown_report import markdown_report
from promptops.git.branches import default_branch_ref
from promptops.git.refs import fetch_pull_head, has_commit, merge_base, remote_branch_tip
from promptops.llm.errors import MissingAPIKey
from promptops.markdown import escape_text, fence
from promptops.repo.agents import list_agents
from promptops.repo.sources import config_at


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
    if command.name == "unignore":
        from promptops.bot.pr_closed import unignore_reply

        return unignore_reply(ctx, command.prompt_id or "", command.goal or "")
    if command.name == "rollout":
        from promptops.bot.rollout_ci import check_rollouts

        lines = check_rollouts(ctx, [command.prompt_id or ""])
        return "\n".join(f"- {escape_text(line)}" for line in lines)
    if command.name == "approve-gate-change":
        return _approve_gate_change(ctx, event)
    if command.name == "recreate":
        from promptops.bot.handback import recreate_branch

        return recreate_branch(ctx, event.issue_number, event.on_pull_request)
    raise PromptopsError(f"unknown command {command.name}")


@dataclass(frozen=True)
class PullRevisions:
    base: str  # the merge base: what the PR is compared against
    head: str
    fork: bool
    base_tip: str  # where the base branch is now (the stale-baseline check)
    base_ref: str


def _pull_revisions(ctx: CiContext, number: int) -> PullRevisions:
    """PR `number` as GitHub and the clone see it now, the head fetched if the clone lacks it."""
    pr = ctx.github().pull(number)
    head_repo = pr.head.repo.full_name if pr.head.repo else None
    fork = head_repo != ctx.github().full_name
    head = pr.head.sha
    if not has_commit(ctx.root, head):
        fetch_pull_head(ctx.root, number)
    if not has_commit(ctx.root, head):
        raise PromptopsError(f"head commit {head[:12]} of #{number} is not in this clone (fetch-depth: 0?)")
    # The API's base.sha is the base tip as of the PR's last update; the checkout fetched the branch now.
    tip = remote_branch_tip(ctx.root, pr.base.ref) or pr.base.sha
    return PullRevisions(merge_base(ctx.root, pr.base.sha, head), head, fork, tip, pr.base.ref)


def _judge(ctx: CiContext, number: int, pull: PullRevisions, agents: list[str]) -> tuple[GateResult, str]:
    return judge_pull(
        ctx,
        number,
        pull.base,
        pull.head,
        agents,
        fork=pull.fork,
        base_tip=pull.base_tip,
        base_ref=pull.base_ref,
    )


def _eval_pull(ctx: CiContext, event: CommentEvent, agent: str | None) -> str:
    pull = _pull_revisions(ctx, event.issue_number)
    judge = config_at(ctx.root, pull.base)
    if agent:
        _check_agent(judge, agent, pull.base if pull.fork else pull.head)
    agents = [agent] if agent else changed_agents(judge, pull.base, pull.head)
    if not agents and not settings_changed(ctx.config, pull.base, pull.head):
        return "This pull request changes no agent; nothing to evaluate (name one: `/promptops eval AGENT`)."
    gate, url = _judge(ctx, event.issue_number, pull, agents)
    what = "the fork's prompt files of " if pull.fork else ""
    return (
        f"Evaluated {what}{escape_text(', '.join(agents) or 'the settings')}: **{gate.conclusion}** "
        f"({escape_text(gate.title)}). Report: {url}"
    )


def _approve_gate_change(ctx: CiContext, event: CommentEvent) -> str:
    """Record the commenter's approval for the PR's current head, then judge the PR again."""
    if not event.on_pull_request:
        raise InputError("approve-gate-change works on a pull request")
    pull = _pull_revisions(ctx, event.issue_number)
    record_approval(ctx, event.issue_number, pull.head, event.commenter)
    agents = changed_agents(config_at(ctx.root, pull.base), pull.base, pull.head)
    gate, url = _judge(ctx, event.issue_number, pull, agents)
    return (
        f"Gate change approved by {escape_text(event.commenter)} for {pull.head[:10]}; "
        f"promptops/eval is now **{gate.conclusion}**. Report: {url}"
    )


def _check_agent(config: Config, agent: str, ref: str) -> None:
    known = list_agents(config, ref)
    if agent not in known:
        raise NotFoundError(f"no agent {agent!r} at {ref[:10]}; agents: {', '.join(known) or 'none'}")


def _eval_default_branch(ctx: CiContext, agent: str | None) -> str:
    ref = default_branch_ref(ctx.root, ctx.config)
    if agent:
        _check_agent(ctx.config, agent, ref)
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
