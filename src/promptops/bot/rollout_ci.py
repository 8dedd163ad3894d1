"""Rollouts from Actions: the scheduled run and `/promptops rollout` check and apply.

The logs come from `rollout.logs` in `.promptops.yaml` (paths or globs that an earlier
workflow step filled from the team's log store). No logs is not "no regression": a
rollout is then reported as not checked and nothing moves.
"""

from __future__ import annotations

from pathlib import Path

from promptops.bot.context import CiContext
from promptops.bot.rollout import check_rollout
from promptops.bot.rollout_apply import apply_check
from promptops.errors import InputError, PromptopsError
from promptops.git.branches import default_branch_ref
from promptops.repo.agents import list_agents
from promptops.repo.rollouts import load_agent_rollout


def configured_logs(ctx: CiContext) -> list[Path]:
    """Files matched by `rollout.logs`, sorted; an entry matching nothing is an error."""
    paths: list[Path] = []
    for pattern in ctx.config.get("rollout.logs"):
        matches = sorted(ctx.root.glob(pattern)) if any(c in pattern for c in "*?[") else [ctx.root / pattern]
        matches = [m for m in matches if m.is_file()]
        if not matches:
            raise InputError(f".promptops.yaml: rollout.logs: {pattern!r} matches no file")
        paths.extend(matches)
    return paths


def running_rollouts(ctx: CiContext) -> list[str]:
    """Prompt ids with a rollout.yaml on the default branch (what production runs)."""
    ref = default_branch_ref(ctx.root, ctx.config)
    ids = []
    for agent in list_agents(ctx.config, ref):
        rollout = load_agent_rollout(ctx.config, agent, ref)
        if rollout is not None:
            ids.append(rollout.prompt_id)
    return ids


def check_rollouts(ctx: CiContext, prompt_ids: list[str] | None = None) -> list[str]:
    """Check (and apply) each rollout; one report line each, also returned for a reply."""
    ids = running_rollouts(ctx) if prompt_ids is None else prompt_ids
    if not ids:
        return []
    if not ctx.config.get("rollout.logs"):
        line = (
            f"rollouts not checked ({', '.join(ids)}): set rollout.logs in .promptops.yaml to the "
            "execution logs a workflow step downloads"
        )
        ctx.report.say(line)
        return [line]
    logs = configured_logs(ctx)
    lines = []
    for prompt_id in ids:
        try:
            report = check_rollout(ctx.config, prompt_id, logs)
            applied = apply_check(ctx.config, report, token=ctx.env.token, github_base_url=ctx.base_url)
            reasons = "; ".join(report.check.reasons)
            line = f"{prompt_id}: {report.check.outcome}: {reasons}; {applied.message}"
        except PromptopsError as exc:
            line = f"{prompt_id}: rollout check failed: {exc}"
            ctx.report.exit_code = exc.exit_code
        ctx.report.say(line)
        lines.append(line)
    return lines
