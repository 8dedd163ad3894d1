"""Pull requests: judge every agent the PR changed, base vs head, on the base's terms.

Base is the merge base of the PR's base and head commits (what the PR is reviewed
against). The settings (`.promptops.yaml`: decision, gate, provider) and every agent's eval
cases are read from that base commit, never from the PR being judged; the prompts come from
the two commits. The `promptops/eval` check (and status) is the gate teams make required,
so it fails closed (promptops.evals.gate): errors, missing samples and a PR that loosens
its own gate are failures; a fork's PR waits for a maintainer (`action_required`).

A fork's PR is never evaluated by its own `pull_request` run (that run has no key, and
`promptops ci` refuses to evaluate a fork with one). A maintainer's `/promptops eval`
evaluates the fork's prompt files only, read as blobs from the head commit.
"""

from __future__ import annotations

from promptops.bot.context import CiContext
from promptops.bot.eval_comment import publish_gate
from promptops.bot.events import PullRequestEvent
from promptops.bot.gate_report import (
    NEW_AGENT,
    NO_CREDENTIALS,
    REMOVED,
    AgentResult,
    PullEvaluation,
    approval_of,
    fork_waiting,
    own_cases_summary,
)
from promptops.bot.shard_job import run_shard
from promptops.bot.shard_merge import merged_evaluation, read_reports
from promptops.bot.shard_plan import plan_outputs, shard_count, shard_step
from promptops.bot.staleness import check_staleness
from promptops.config import CONFIG_FILE, Config
from promptops.errors import PromptopsError
from promptops.evals.cases import load_suite_at
from promptops.evals.command import EvalOptions, run_eval_command
from promptops.evals.gate import (
    AgentGate,
    GateChange,
    GateResult,
    GateSettings,
    case_changes,
    conclude,
    judge_agent,
    settings_changes,
)
from promptops.git.refs import changed_paths_between, merge_base
from promptops.llm.errors import MissingAPIKey
from promptops.markdown import escape_text
from promptops.repo.agents import list_agents, load_agent, prompt_texts_at
from promptops.repo.sources import config_at

COMMENT_KEY = "eval"


def changed_agents(config: Config, base: str, head: str) -> list[str]:
    """Agents (folders under the prompts folder) with any file changed between base and head."""
    prompts_rel = config.data["prompts_dir"].strip("/")
    prefix = f"{prompts_rel}/" if prompts_rel and prompts_rel != "." else ""
    paths = changed_paths_between(config.root, base, head, prefix.rstrip("/"))
    return sorted({p[len(prefix) :].split("/")[0] for p in paths if "/" in p[len(prefix) :]})


def settings_changed(config: Config, base: str, head: str) -> bool:
    return CONFIG_FILE in changed_paths_between(config.root, base, head)


def evaluate_pull(
    config: Config, base: str, head: str, agents: list[str], *, fork: bool = False
) -> PullEvaluation:
    """Evaluate each agent's head prompts against the base on the base's cases and settings.

    `config` is the working tree's (for the root and the cache); what judges is the base's.
    """
    judge = config_at(config.root, base)
    result = PullEvaluation(base, head, fork=fork)
    at_base = set(list_agents(judge, base))
    at_head = set(list_agents(judge, head)) if not fork else at_base
    for agent in agents:
        if agent not in at_head:
            result.agents.append(AgentResult(agent, note=REMOVED))
            continue
        if fork and agent not in at_base:
            note = "new agent from a fork: not evaluated (only prompt files the base knows are read)"
            result.agents.append(AgentResult(agent, note=note, failed=True))
            continue
        result.agents.append(_evaluate_agent(judge, agent, base, head, agent in at_base, fork))
    return result


def _evaluate_agent(
    judge: Config, agent: str, base: str, head: str, on_base: bool, fork: bool
) -> AgentResult:
    compare = base if on_base else None
    options = EvalOptions(agent_id=agent, ref=head, compare=compare, cases_ref=compare)
    if fork:
        base_agent = load_agent(judge, agent, ref=base)
        texts = prompt_texts_at(judge, base_agent, head)
        options = EvalOptions(agent_id=agent, ref=base, compare=base, cases_ref=base, head_texts=texts)
    try:
        outcome = run_eval_command(judge, options)
    except MissingAPIKey as exc:
        return AgentResult(agent, note=f"{NO_CREDENTIALS}: {exc}", failed=True)
    except PromptopsError as exc:
        return AgentResult(agent, note=str(exc), failed=True)
    return AgentResult(agent, outcome, "" if compare else NEW_AGENT)


def gate_of(evaluation: PullEvaluation, config: Config, approved_by: str | None) -> GateResult:
    """The check's conclusion: each agent judged fail-closed, plus what the PR changes in its gate."""
    judge = config_at(config.root, evaluation.base)
    settings = GateSettings.from_config(judge)
    agents: list[AgentGate] = []
    for result in evaluation.agents:
        if result.outcome is None and not result.failed:  # removed: its cases are a gate change
            continue
        error = result.note if result.failed else None
        agents.append(judge_agent(result.agent, result.outcome, settings, error=error))
    changes: list[GateChange] = []
    if not evaluation.fork:
        changes = _gate_changes(config, judge, evaluation)
    return conclude(agents, changes, approved_by=approved_by)


def _gate_changes(config: Config, judge: Config, evaluation: PullEvaluation) -> list[GateChange]:
    base, head = evaluation.base, evaluation.head
    changes: list[GateChange] = []
    if settings_changed(config, base, head):
        evaluation.changes_settings = True
        try:
            changes += settings_changes(judge, config_at(config.root, head))
        except PromptopsError as exc:
            changes.append(GateChange(f"{CONFIG_FILE} at the head does not load: {exc}", True))
    at_base = set(list_agents(judge, base))
    for result in evaluation.agents:
        if result.agent not in at_base:
            continue
        base_suite = load_suite_at(load_agent(judge, result.agent, ref=base), judge, base)
        head_suite = None
        if result.outcome is not None or result.failed:
            try:
                agent = load_agent(judge, result.agent, ref=head)
                head_suite = load_suite_at(agent, judge, head)
            except PromptopsError as exc:
                changes.append(GateChange(f"{result.agent}: the head's cases do not load: {exc}", True))
                continue
        found = case_changes(result.agent, base_suite, head_suite)
        evaluation.changes_cases = evaluation.changes_cases or bool(found)
        changes += found
        if found and head_suite is not None and result.outcome is not None and not result.own_cases:
            result.own_cases = _on_own_cases(judge, result.agent, head)
    return changes


def _on_own_cases(judge: Config, agent: str, head: str) -> str:
    """The head prompts on the head's cases, for the report only (the verdict is the base's cases')."""
    try:
        run = run_eval_command(judge, EvalOptions(agent_id=agent, ref=head, cases_ref=head)).head
    except PromptopsError as exc:
        return f"could not run them: {escape_text(str(exc))}"
    return own_cases_summary(run)


def judge_pull(
    ctx: CiContext,
    number: int,
    base: str,
    head: str,
    agents: list[str],
    *,
    fork: bool,
    base_tip: str = "",
    base_ref: str = "",
    evaluation: PullEvaluation | None = None,
) -> tuple[GateResult, str]:
    """Evaluate, conclude, set the check and status, then write the comment (its URL is returned).
    `base_tip`/`base_ref`: the base branch now, to flag a stale comparison (`staleness`).
    `evaluation`: already made (the merge of a sharded evaluation); else made here."""
    if evaluation is None:
        evaluation = evaluate_pull(ctx.config, base, head, agents, fork=fork)
    evaluation.stale = check_staleness(ctx.config, base, base_tip, base_ref, agents, changed_agents)
    evaluation.gate = gate_of(evaluation, ctx.config, approval_of(ctx, number, head))
    return evaluation.gate, publish_gate(ctx, number, evaluation)


def handle_pull_request(ctx: CiContext, event: PullRequestEvent) -> None:
    step = shard_step(ctx.process_env)
    if step is not None and step.plan:
        ctx.report.outputs.update(plan_outputs(1))  # until the plan says more: this job evaluates
    if event.draft and not ctx.config.get("github.run_on_drafts"):
        ctx.report.say(
            f"pull request #{event.number} is a draft; skipped (set github.run_on_drafts to evaluate drafts)"
        )
        return
    if event.from_fork:
        if step is not None and step.shard is not None:
            raise PromptopsError("a shard job never evaluates a fork's pull request (it has the model key)")
        fork_waiting(ctx, event)
        return
    base = merge_base(ctx.root, event.base_sha, event.head_sha)
    judge = config_at(ctx.root, base)
    agents = changed_agents(judge, base, event.head_sha)
    if not agents and not settings_changed(ctx.config, base, event.head_sha):
        ctx.report.say(
            f"pull request #{event.number} changes nothing under "
            f"{judge.data['prompts_dir']}/; nothing to evaluate"
        )
        return
    if step is not None and step.shard is not None:
        run_shard(ctx, judge, base, event.head_sha, agents, step.shard)
        return
    if step is not None and step.plan and _fanned_out(ctx, event, judge, base, agents):
        return
    ctx.report.say(
        f"evaluating {', '.join(agents) or 'settings'} at {event.head_sha[:10]} against {base[:10]}"
    )
    evaluation, reports = None, None
    if step is not None and step.runs is not None:
        reports = read_reports(step.runs, base, event.head_sha, shard_count(judge, base, agents))
        evaluation = merged_evaluation(ctx, judge, base, event.head_sha, agents, reports)
    judge_pull(
        ctx,
        event.number,
        base,
        event.head_sha,
        agents,
        fork=False,
        base_tip=event.base_sha,
        base_ref=event.base_ref,
        evaluation=evaluation,
    )
    if reports is not None and reports.incomplete:
        # red job as well as a failing gate, so "re-run failed jobs" picks the merge up again
        ctx.report.error = "a shard did not report or was refused: promptops/eval is failure (see comment)"
        ctx.report.exit_code = 1


def _fanned_out(ctx: CiContext, event: PullRequestEvent, judge: Config, base: str, agents: list[str]) -> bool:
    """The plan step: with N > 1 shard jobs, hand the evaluation to them (pending until the merge)."""
    count = shard_count(judge, base, agents)
    if count == 1:
        return False
    ctx.report.outputs.update(plan_outputs(count))
    ctx.status(event.head_sha, "pending", f"evaluating {', '.join(agents)} in {count} shard jobs")
    ctx.report.say(
        f"pull request #{event.number}: {', '.join(agents)} evaluated in {count} shard jobs "
        f"(evals.shards / evals.shard_samples at {base[:10]}); the merge job sets promptops/eval"
    )
    return True
