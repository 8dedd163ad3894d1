"""`promptops optimize` and `promptops analyze` as library calls: checks, set-up, steps.

optimize: analyze -> generate -> guard -> search (dev) -> confirm (holdout) -> recommend,
recording every step in the session file. With no optimizer model configured the
edit-based generator writes the candidates (no analysis); with one, the LLM writes them
and, for the conciseness goal, the edit generator adds its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promptops.config import GOALS, Config
from promptops.errors import InputError, PromptopsError
from promptops.evals import Suite, load_suite
from promptops.llm.batches import ProgressCallback
from promptops.llm.budget import Budget
from promptops.llm.client import LLMClient, client_from_config
from promptops.llm.usage import UsageLedger
from promptops.optimize.analyzer import analyze, gather_inputs
from promptops.optimize.candidates import generate_candidates, other_prompt_tokens, unevaluated_result
from promptops.optimize.edits import edit_candidates
from promptops.optimize.evaluator import calls_per_sample
from promptops.optimize.meta import load_meta_prompts
from promptops.optimize.run import STRUCTURED_CALLS, OptimizeOptions, OptimizeResult, Run
from promptops.optimize.search_plan import minimum_search_calls
from promptops.optimize.selection import search_and_confirm
from promptops.optimize.session import Session
from promptops.repo.agents import Agent, Prompt, load_agent, resolve_prompt_id


def check_goal(goal: str) -> None:
    if goal not in GOALS:
        raise InputError(f"unknown goal {goal!r}; expected one of: {', '.join(GOALS)}")


def run_optimization(
    config: Config, prompt_id: str, options: OptimizeOptions, on_batch: ProgressCallback | None = None
) -> OptimizeResult:
    """Optimize `prompt_id` for `options.goal`; the session file records everything.
    `on_batch` shows Message Batches while they are polled (see `OptimizeOptions.batch`)."""
    check_goal(options.goal)
    prompt = resolve_prompt_id(config, prompt_id)
    agent = load_agent(config, prompt.agent)
    use_llm = config.get("optimizer.provider") is not None
    suite = _suite_or_none(agent, prompt, config, options.goal, use_llm)
    meta = load_meta_prompts() if use_llm else None
    if suite is not None:
        _check_budget(config, suite, options, _planned_candidates(agent, prompt, options, use_llm), use_llm)
    # Clients are made before the session so a missing key or unknown provider writes nothing.
    ledger = UsageLedger()
    model_client, optimizer_client = _clients(
        config, options, ledger, evaluate=suite is not None, write=use_llm, on_batch=on_batch
    )
    session = Session.start(
        config.root, _prompt_record(prompt), options.goal, _settings(config, options, use_llm)
    )
    run = Run(config, prompt, agent, options, session, suite, meta, ledger, model_client, optimizer_client)
    return asyncio.run(_optimize(run))


def _clients(
    config: Config,
    options: OptimizeOptions,
    ledger: UsageLedger,
    *,
    evaluate: bool,
    write: bool,
    on_batch: ProgressCallback | None = None,
) -> tuple[LLMClient | None, LLMClient | None]:
    """The model under test and the optimizer model, sharing one ledger and one budget.

    Only the model under test may use Message Batches: its calls come in bursts (a rung of
    candidates x cases); the optimizer's are one analysis or one variant at a time."""
    budget = None
    if options.budget_calls is not None or options.budget_usd is not None:
        budget = Budget(max_calls=options.budget_calls, max_usd=options.budget_usd)

    def client(section: str, batch: bool | None) -> LLMClient:
        return client_from_config(
            config,
            section=section,
            no_cache=options.no_cache,
            budget=budget,
            ledger=ledger,
            batch=batch,
            waiting_ok=options.waiting_ok,
            on_batch=on_batch,
        )

    model = client("provider", options.batch) if evaluate else None
    return model, (client("optimizer.provider", False) if write else None)


async def _optimize(run: Run) -> OptimizeResult:
    try:
        await generate_candidates(run)
        if run.suite is None:
            return unevaluated_result(run)
        return await search_and_confirm(run)
    except PromptopsError as exc:
        run.session.usage = run.ledger.as_dict()
        run.session.finish("failed", str(exc))
        raise
    finally:
        await run.aclose()


def _suite_or_none(agent: Agent, prompt: Prompt, config: Config, goal: str, use_llm: bool) -> Suite | None:
    """The agent's cases, or None when there are none and the edit-only conciseness run
    (invariants only, unevaluated) may go ahead; otherwise an error saying how to add them."""
    if agent.evals_path is None:
        if goal == "conciseness" and not use_llm:
            return None
        raise InputError(
            f"{prompt.id} has no eval cases, and optimization measures variants on them: add "
            f"`evals: evals/cases.yaml` to {agent.folder / 'agent.yaml'} and write cases there "
            "(see docs/evals.md); without an optimizer model, --goal conciseness can still propose "
            "invariant-checked edits, unevaluated"
        )
    suite = load_suite(agent, config)
    dev, holdout = suite.select("dev"), suite.select("holdout")
    if not dev or not holdout:
        raise InputError(
            f"{suite.rel_path or suite.path}: optimization needs dev cases to select on and holdout cases "
            f"to confirm on; it has {len(dev)} dev and {len(holdout)} holdout: add cases, set "
            "`split: holdout` on some, or raise evals.holdout_fraction in .promptops.yaml"
        )
    return suite


def _planned_candidates(agent: Agent, prompt: Prompt, options: OptimizeOptions, use_llm: bool) -> int:
    """How many candidates round 1 will have (edits are cheap to make, so they are counted)."""
    planned = options.variants if use_llm else 0
    if not use_llm or options.goal == "conciseness":
        required = agent.invariants.variables if prompt.type == "user_template" else ()
        made = edit_candidates(
            prompt.text,
            agent.invariants,
            required_variables=required,
            other_tokens=other_prompt_tokens(agent, prompt),
        )
        planned += sum(c.guard.ok for c in made)
    return max(planned, 1)


def _check_budget(
    config: Config, suite: Suite, options: OptimizeOptions, candidates: int, use_llm: bool
) -> None:
    """Refuse before any call a budget that cannot pay for the smallest search."""
    if options.budget_calls is None:
        return
    per_sample = calls_per_sample(suite) * int(config.get("evals.repeat"))
    searching = minimum_search_calls(
        per_sample, candidates, len(suite.select("dev")), len(suite.select("holdout"))
    )
    writing = (1 + options.variants) * STRUCTURED_CALLS if use_llm else 0
    need = searching + writing
    if options.budget_calls < need:
        raise InputError(
            f"a budget of {options.budget_calls} calls is too small: "
            + (f"analysis and {options.variants} variants may take {writing} calls, and " if writing else "")
            + f"evaluating the base and {candidates} candidate(s) on a first batch of dev cases, then "
            f"confirming the winner on as many more cases, needs {searching}; raise --budget-calls to at "
            f"least {need}"
        )


def _prompt_record(prompt: Prompt) -> dict[str, Any]:
    return {
        "id": prompt.id,
        "type": prompt.type,
        "path": prompt.rel_path,
        "base_version": prompt.version_id,
        "base_tokens": prompt.tokens,
    }


def _settings(config: Config, options: OptimizeOptions, use_llm: bool) -> dict[str, Any]:
    optimizer = config.get("optimizer.provider") or {}
    return {
        "variants": options.variants,
        "rounds": options.rounds,
        "budget_calls": options.budget_calls,
        "budget_usd": options.budget_usd,
        "generator": "llm" if use_llm else "edit",
        "optimizer_model": optimizer.get("model") if use_llm else None,
        "eval_model": config.get("provider.model"),
        "eval_provider": config.get("provider.name"),
        "repeat": config.get("evals.repeat"),
        "holdout_fraction": config.get("evals.holdout_fraction"),
        "decision": config.get("decision"),
        "logs": [str(p) for p in options.logs],
        "no_cache": options.no_cache,
    }


def analyze_prompt(config: Config, prompt_id: str, logs: Sequence[Path] = ()) -> dict[str, Any]:
    """`promptops analyze`: the optimizer model's analysis of one prompt."""
    prompt = resolve_prompt_id(config, prompt_id)
    meta = load_meta_prompts()
    inputs = gather_inputs(config.root, prompt, None, logs)

    async def go() -> dict[str, Any]:
        client = client_from_config(config, section="optimizer.provider")
        try:
            return await analyze(client, meta, inputs)
        finally:
            await client.aclose()

    return asyncio.run(go())
