"""Commands that end in a pull request: optimize a prompt (then publish), roll one back.

Shared by `/promptops optimize|rollback` comments and the scheduled run. The optimizer
and the publishing helper do the work; this module only sets their options from the
config and words the outcome for a reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptops.bot.context import CiContext
from promptops.config import Config
from promptops.markdown import escape_text, inline_code
from promptops.optimize.run import OptimizeOptions


@dataclass(frozen=True)
class Published:
    """What an optimization led to: a PR (url), or why there is none."""

    prompt_id: str
    goal: str
    pr_url: str | None
    message: str


def optimize_options(config: Config, goal: str) -> OptimizeOptions:
    """The optimizer's settings from `optimizer:` in the config (a comment names only prompt and goal)."""
    return OptimizeOptions(
        goal=goal,
        variants=config.get("optimizer.variants"),
        rounds=config.get("optimizer.rounds"),
        budget_calls=config.get("optimizer.budget.calls"),
        budget_usd=config.get("optimizer.budget.usd"),
    )


def optimize_prompt(ctx: CiContext, prompt_id: str, goal: str) -> Published:
    """Run the optimizer; publish its session as a PR when it recommends a variant."""
    from promptops.bot.publish import publish_session
    from promptops.optimize.optimizer import run_optimization

    result = run_optimization(ctx.config, prompt_id, optimize_options(ctx.config, goal))
    summary = (result.session.recommendation or {}).get("summary", result.session.status)
    if result.chosen is None:
        return Published(prompt_id, goal, None, f"no variant recommended: {summary}")
    outcome = publish_session(
        ctx.config,
        result.session.path,
        open_pr=True,
        token=ctx.env.token,
        github_base_url=ctx.base_url,
        prompt_id=prompt_id,
    )
    if outcome.report:
        ctx.report.summary.append(outcome.report)
    return Published(prompt_id, goal, outcome.pr_url, outcome.message or summary)


def optimize_and_publish(ctx: CiContext, prompt_id: str, goal: str) -> str:
    done = optimize_prompt(ctx, prompt_id, goal)
    ctx.report.say(f"optimize {prompt_id} --goal {goal}: {done.pr_url or done.message}")
    return _reply(done.pr_url, f"Optimized {inline_code(prompt_id)} for {goal}", done.message)


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
