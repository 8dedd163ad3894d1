"""`schedule` and `workflow_dispatch`: check running rollouts, then optimize what the config
asks for, within `max_open_prs`.

Targets, in order: every entry of `schedule.prompts` (its goal, or `optimizer.goal`),
then, when `schedule.min_pass_rate` is set, the system prompt of each agent whose latest
eval run (`.promptops/runs/`) passed less than that, for goal `accuracy`. Agents with no
run on record are not guessed at; the summary says they were not checked. Before each
optimization the open promptops PRs are counted; at `github.max_open_prs` the run stops
and says which targets it left for next time. A goal declined by closing its PR unmerged
is skipped until the prompt changes (`schedule_filters`); a goal for a prompt that already
has an open optimize PR for another goal waits (`prompt_lock`). Last, the dashboard issue
is refreshed (`dashboard_issue`), so it shows the PRs this run opened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from promptops.bot.context import CiContext
from promptops.bot.events import ScheduledEvent
from promptops.bot.prompt_lock import lock_holder
from promptops.bot.schedule_filters import skip_declined
from promptops.config import Config
from promptops.errors import PromptopsError
from promptops.repo.agents import list_agents, load_agent

RUNS_DIR = ".promptops/runs"


@dataclass(frozen=True)
class Target:
    prompt_id: str
    goal: str
    reason: str


def latest_pass_rates(root: Path) -> dict[str, float]:
    """agent -> pass rate of its most recent saved eval run (by `created_at`)."""
    latest: dict[str, tuple[str, float]] = {}
    for path in sorted((root / RUNS_DIR).glob("**/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            agent, created, rate = data["agent"], data["created_at"], float(data["summary"]["pass_rate"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if agent not in latest or created > latest[agent][0]:
            latest[agent] = (created, rate)
    return {agent: rate for agent, (_, rate) in latest.items()}


def scheduled_targets(config: Config) -> tuple[list[Target], list[str]]:
    """(what to optimize, notes about agents that could not be judged)."""
    default_goal = config.get("optimizer.goal")
    targets = [
        Target(entry["prompt"], entry.get("goal") or default_goal, "listed in schedule.prompts")
        for entry in config.get("schedule.prompts")
    ]
    notes: list[str] = []
    threshold = config.get("schedule.min_pass_rate")
    if threshold is None:
        return targets, notes
    rates = latest_pass_rates(config.root)
    listed = {t.prompt_id for t in targets}
    for agent_id in list_agents(config):
        if agent_id not in rates:
            notes.append(f"{agent_id}: no eval run in {RUNS_DIR}; pass rate not checked")
            continue
        if rates[agent_id] >= threshold:
            continue
        prompt = _main_prompt(config, agent_id)
        if prompt and prompt not in listed:
            reason = f"last pass rate {rates[agent_id]:.0%} < schedule.min_pass_rate {threshold:.0%}"
            targets.append(Target(prompt, "accuracy", reason))
    return targets, notes


def _main_prompt(config: Config, agent_id: str) -> str | None:
    prompts = load_agent(config, agent_id).prompts
    name = "system" if "system" in prompts else next(iter(prompts), None)
    return f"{agent_id}/{name}" if name else None


def handle_schedule(ctx: CiContext, event: ScheduledEvent) -> None:
    """Check rollouts, optimize the targets, then refresh the dashboard issue (whatever happened)."""
    from promptops.bot.dashboard_issue import refresh_dashboard

    _optimize_scheduled(ctx, event)
    refresh_dashboard(ctx)


def _optimize_scheduled(ctx: CiContext, event: ScheduledEvent) -> None:
    from promptops.bot.ci_publish import optimize_prompt
    from promptops.bot.rollout_ci import check_rollouts

    check_rollouts(ctx)  # running rollouts first: an abort must not wait behind optimizations
    targets, notes = scheduled_targets(ctx.config)
    for note in notes:
        ctx.report.say(note)
    if not targets:
        ctx.report.say(
            f"{event.trigger}: nothing to optimize (schedule.prompts is empty and no agent "
            "is below schedule.min_pass_rate)"
        )
        return
    limit = ctx.config.get("github.max_open_prs")
    prefix = ctx.config.get("github.branch_prefix")
    targets = skip_declined(ctx, targets)
    for index, target in enumerate(targets):
        open_prs = ctx.github().count_open_promptops_pulls(prefix)
        if open_prs >= limit:
            left = ", ".join(t.prompt_id for t in targets[index:])
            ctx.report.say(
                f"{open_prs} promptops pull requests are open (github.max_open_prs = {limit}); "
                f"stopped before {left}"
            )
            return
        holder = lock_holder(ctx, target.prompt_id, target.goal)
        if holder is not None:
            ctx.report.say(f"{target.prompt_id}: goal {target.goal} waits: {holder.describe()}")
            continue
        ctx.report.say(f"optimizing {target.prompt_id} for {target.goal} ({target.reason})")
        try:
            # Nobody waits on a scheduled run: provider.batch auto sends its evals as Message Batches.
            done = optimize_prompt(ctx, target.prompt_id, target.goal, waiting_ok=True)
        except PromptopsError as exc:
            ctx.report.say(f"{target.prompt_id}: {exc}")
            ctx.report.exit_code = 1
            continue
        ctx.report.say(f"{target.prompt_id}: {done.pr_url or done.message}")
