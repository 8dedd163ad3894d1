"""Commands that end in a pull request: optimize a prompt (then publish), roll one back.

Shared by `/promptops optimize|rollback` comments and the scheduled run. The optimizer
and the publishing helper do the work; this module only sets their options from the
config and words the outcome for a reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptops.bot.context import CiContext
from promptops.config import Config
from promptops.errors import InputError
from promptops.markdown import escape_text, inline_code
from promptops.optimize.run import OptimizeOptions


@dataclass(frozen=True)
class Published:
    """What an optimization led to: a PR (url), or why there is none."""

    prompt_id: str
    goal: str
    pr_url: str | None
    message: str
    recommended: bool = True


def optimize_options(config: Config, goal: str, *, waiting_ok: bool = False) -> OptimizeOptions:
    """The optimizer's settings from `optimizer:` in the config (a comment names only prompt and goal).
    `waiting_ok`: nobody waits on this run (a scheduled one), so `provider.batch: auto` may batch."""
    return OptimizeOptions(
        goal=goal,
        variants=config.get("optimizer.variants"),
        rounds=config.get("optimizer.rounds"),
        budget_calls=config.get("optimizer.budget.calls"),
        budget_usd=config.get("optimizer.budget.usd"),
        waiting_ok=waiting_ok,
    )


def optimize_prompt(ctx: CiContext, prompt_id: str, goal: str, *, waiting_ok: bool = False) -> Published:
    """Run the optimizer; publish its session as a PR when it recommends a variant."""
    from promptops.bot.publish import publish_session
    from promptops.optimize.optimizer import run_optimization

    options = optimize_options(ctx.config, goal, waiting_ok=waiting_ok)
    result = run_optimization(ctx.config, prompt_id, options)
    summary = (result.session.recommendation or {}).get("summary", result.session.status)
    try:
        # the same rule as `optimize --open-pr`: a confirmed variant that is not recommended is
        # published as a draft (github.not_recommended: draft) or not at all (skip)
        outcome = publish_session(
            ctx.config,
            result.session.path,
            open_pr=True,
            token=ctx.env.token,
            github_base_url=ctx.base_url,
            prompt_id=prompt_id,
            run_url=ctx.env.run_url,
        )
    except InputError as exc:  # failed, or no candidate confirmed on the holdout: nothing to publish
        return Published(prompt_id, goal, None, f"no variant recommended: {summary} ({exc})")
    if outcome.full_report:
        ctx.report.summary.append(outcome.full_report)
    return Published(prompt_id, goal, outcome.pr_url, outcome.message or summary, outcome.recommended)


def optimize_and_publish(ctx: CiContext, prompt_id: str, goal: str) -> str:
    from promptops.bot.prompt_lock import lock_holder

    holder = lock_holder(ctx, prompt_id, goal)
    if holder is not None:
        ctx.report.say(f"optimize {prompt_id} --goal {goal}: waits, {holder.describe()}")
        return (
            f"Not optimized: {inline_code(prompt_id)} already has an open optimize pull request, "
            f"#{holder.number} (goal {inline_code(holder.goal)}): {holder.url}. One open optimize PR "
            "per prompt: merge or close it, then ask again."
        )
    done = optimize_prompt(ctx, prompt_id, goal)
    ctx.report.say(f"optimize {prompt_id} --goal {goal}: {done.pr_url or done.message}")
    what = f"Optimized {inline_code(prompt_id)} for {goal}"
    if done.pr_url and not done.recommended:
        return f"{what}: not recommended, published as draft pull request {done.pr_url} with the evidence"
    return _reply(done.pr_url, what, done.message)


def rollback_and_publish(ctx: CiContext, prompt_id: str, target: str) -> str:
    from promptops.bot.rollback import rollback_prompt

    outcome = rollback_prompt(
        ctx.config, prompt_id, target, open_pr=True, token=ctx.env.token, github_base_url=ctx.base_url
    )
    ctx.report.say(f"rollback {prompt_id} --to {target}: {outcome.pr_url or outcome.message}")
    return _reply(
        outcome.pr_url, f"Rollback of {inline_code(prompt_id)} to {inline_code(target)}", outcome.message
    )


def _reply(url: str | None, what: str, message: str) -> str:
    if url:
        return f"{what}: pull request {url}"
    return f"{what}: no pull request opened. {escape_text(message)}"
