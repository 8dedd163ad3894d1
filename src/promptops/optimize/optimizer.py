"""`promptops optimize` and `promptops analyze` as library calls.

optimize: analyze -> generate -> guard -> search (dev) -> confirm (holdout) -> recommend,
recording every step in the session file. With no optimizer model configured the
edit-based generator writes the candidates (no analysis); with one, the LLM writes them
and, for the conciseness goal, the edit generator adds its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.config import GOALS, Config
from promptops.errors import InputError, PromptopsError
from promptops.evals import Suite, load_suite
from promptops.llm.budget import Budget
from promptops.llm.client import LLMClient, client_from_config
from promptops.llm.errors import BudgetExceeded
from promptops.llm.usage import UsageLedger
from promptops.optimize.analyzer import analyze, gather_inputs
from promptops.optimize.edits import edit_candidates
from promptops.optimize.evaluator import SuiteEvaluator, calls_per_sample, failure_reasons
from promptops.optimize.generator import Evidence, Variant, generate_variants, reflect
from promptops.optimize.invariants import guard_all
from promptops.optimize.meta import MetaPrompts, load_meta_prompts
from promptops.optimize.search import Search, SearchSettings, minimum_search_calls
from promptops.optimize.session import CandidateRecord, Session
from promptops.repo.agents import Agent, Prompt, load_agent, resolve_prompt_id
from promptops.stats import DecisionSettings, Verdict

STRUCTURED_CALLS = 3  # a structured reply may take two repair requests


@dataclass(frozen=True)
class OptimizeOptions:
    goal: str
    variants: int = 3
    rounds: int = 1
    budget_calls: int | None = None
    budget_usd: float | None = None
    logs: tuple[Path, ...] = ()
    no_cache: bool = False


@dataclass
class OptimizeResult:
    session: Session
    base_text: str
    chosen: CandidateRecord | None  # the recommended (or, unevaluated, the proposed) candidate


@dataclass
class Run:
    """One optimization in progress: the prompt, its cases, clients and the session."""

    config: Config
    prompt: Prompt
    agent: Agent
    options: OptimizeOptions
    session: Session
    suite: Suite | None
    meta: MetaPrompts | None
    ledger: UsageLedger
    model_client: LLMClient | None  # the model under test (None: nothing to evaluate)
    optimizer: LLMClient | None  # the optimizer model (None: the edit generator)

    @property
    def provider_calls(self) -> int:
        return self.ledger.calls - self.ledger.cached_calls + self.ledger.errors

    def save(self) -> None:
        self.session.usage = self.ledger.as_dict()
        self.session.save()

    async def aclose(self) -> None:
        for client in (self.model_client, self.optimizer):
            if client is not None:
                await client.aclose()


def check_goal(goal: str) -> None:
    if goal not in GOALS:
        raise InputError(f"unknown goal {goal!r}; expected one of: {', '.join(GOALS)}")


def run_optimization(config: Config, prompt_id: str, options: OptimizeOptions) -> OptimizeResult:
    """Optimize `prompt_id` for `options.goal`; the session file records everything."""
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
    budget = None
    if options.budget_calls is not None or options.budget_usd is not None:
        budget = Budget(max_calls=options.budget_calls, max_usd=options.budget_usd)

    def client(section: str) -> LLMClient:
        return client_from_config(
            config, section=section, no_cache=options.no_cache, budget=budget, ledger=ledger
        )

    model_client = client("provider") if suite is not None else None
    optimizer_client = client("optimizer.provider") if use_llm else None
    session = Session.start(
        config.root, _prompt_record(prompt), options.goal, _settings(config, options, use_llm)
    )
    run = Run(config, prompt, agent, options, session, suite, meta, ledger, model_client, optimizer_client)
    return asyncio.run(_optimize(run))


async def _optimize(run: Run) -> OptimizeResult:
    try:
        await _generate(run)
        if run.suite is None:
            return _unevaluated(run)
        return await _search(run)
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
            f"confirming on the holdout, needs {searching}; raise --budget-calls to at least {need}"
        )


def _ids(suite: Suite, split: str) -> list[str]:
    return [case.id for case in suite.select(split)]


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


async def _generate(run: Run) -> None:
    """Analysis and round-1 candidates (LLM and/or edits), guarded and recorded."""
    started = time.perf_counter()
    variants: list[Variant] = []
    if run.optimizer is not None:
        variants = await _write_variants(run, run.optimizer)
    records = [_record(f"v{i}", v, 1) for i, v in enumerate(variants, start=1)]
    if run.meta is None or run.options.goal == "conciseness":
        records += _edit_records(run)
    _guard(run, records)
    run.session.timed("generate", time.perf_counter() - started)
    run.save()
    if not run.session.candidates:
        raise PromptopsError(
            f"the edit generator found nothing to change in {run.prompt.id} (no duplicated sentences, "
            "repeated instructions, filler phrases, or list and whitespace untidiness); set "
            "optimizer.provider in .promptops.yaml to have a model write variants"
        )
    if not any(r.accepted for r in run.session.candidates):
        reasons = "; ".join(f"{r.id}: {', '.join(r.invariants['reasons'])}" for r in run.session.candidates)
        raise PromptopsError(
            "no candidate passed the invariants guard, so nothing can be evaluated "
            f"({reasons or 'none written'})"
        )


async def _write_variants(run: Run, client: LLMClient) -> list[Variant]:
    """The analysis, then the round-1 variants; fails when none is usable."""
    assert run.meta is not None
    inputs = gather_inputs(run.config.root, run.prompt, run.options.goal, run.options.logs)
    run.session.analysis = await analyze(client, run.meta, inputs)
    run.save()
    variants, dropped = await generate_variants(
        client, run.meta, run.prompt, run.options.goal, run.session.analysis, run.options.variants
    )
    run.session.dropped += [d.as_dict(1) for d in dropped]
    if not variants:
        raise PromptopsError(
            f"the optimizer model returned no usable variant ({len(dropped)} of {run.options.variants} "
            f"dropped; first reason: {dropped[0].reason if dropped else 'none'}); see the session file "
            f"{run.session.path}"
        )
    return variants


def _record(candidate_id: str, variant: Variant, round_no: int) -> CandidateRecord:
    return CandidateRecord(
        id=candidate_id,
        origin=variant.origin,
        round=round_no,
        text=variant.text,
        hypothesis=variant.hypothesis,
        change_summary=variant.change_summary,
        expected_effect=variant.expected_effect,
        variation_hint=variant.hint,
    )


def _edit_records(run: Run) -> list[CandidateRecord]:
    made = edit_candidates(
        run.prompt.text,
        run.agent.invariants,
        required_variables=_required_vars(run),
        other_tokens=other_prompt_tokens(run.agent, run.prompt),
    )
    return [
        CandidateRecord(
            id=f"e{i}",
            origin="edit",
            round=1,
            text=c.text,
            hypothesis="fewer tokens with the same instructions: " + ", ".join(c.edits),
            change_summary="deterministic edits: " + ", ".join(c.edits),
            expected_effect="shorter prompt, same behaviour",
            edits=list(c.edits),
        )
        for i, c in enumerate(made, start=1)
    ]


def _required_vars(run: Run) -> tuple[str, ...]:
    return run.agent.invariants.variables if run.prompt.type == "user_template" else ()


def other_prompt_tokens(agent: Agent, prompt: Prompt) -> int:
    """Tokens of the agent's other prompts, which share `invariants.max_tokens` with this one."""
    return sum(p.tokens for name, p in agent.prompts.items() if name != prompt.name)


def _guard(run: Run, records: Sequence[CandidateRecord]) -> None:
    earlier = {c.id: c.text for c in run.session.candidates if c.accepted}
    results = guard_all(
        {r.id: r.text for r in records},
        run.prompt.text,
        run.agent.invariants,
        required_variables=_required_vars(run),
        accepted=earlier,
        other_tokens=other_prompt_tokens(run.agent, run.prompt),
    )
    for record in records:
        record.guarded(results[record.id])
        run.session.candidates.append(record)


def _unevaluated(run: Run) -> OptimizeResult:
    """No cases: propose the shortest invariant-checked edit, and say it is unevaluated."""
    accepted = [c for c in run.session.candidates if c.accepted]
    best = min(accepted, key=lambda c: c.invariants["tokens"])
    base = run.prompt.tokens
    run.session.recommendation = {
        "action": "unevaluated",
        "candidate": best.id,
        "summary": (
            f"{best.id} passes the invariants and has {best.invariants['tokens']} tokens instead of {base}, "
            "but it is UNEVALUATED: the agent has no eval cases, so nothing shows it behaves the same; "
            "add cases and run again before adopting it"
        ),
    }
    run.session.usage = run.ledger.as_dict()
    run.session.finish("completed")
    return OptimizeResult(run.session, run.prompt.text, best)


async def _search(run: Run) -> OptimizeResult:
    assert run.suite is not None
    options = run.options
    settings = SearchSettings(
        goal=options.goal,
        decision=DecisionSettings.from_config(run.config),
        repeat=int(run.config.get("evals.repeat")),
        budget_calls=options.budget_calls,
        budget_usd=options.budget_usd,
        chunk_samples=2 * int(run.config.get("provider.max_concurrency")) if options.budget_usd else None,
    )
    assert run.model_client is not None
    evaluator = SuiteEvaluator(run.model_client, run.agent, run.prompt.name, run.suite)
    search = Search(evaluator, run.prompt.text, _ids(run.suite, "dev"), _ids(run.suite, "holdout"), settings)
    search.budget.charge(run.provider_calls, run.ledger.cost_usd)
    run.session.search.update(dev_cases=len(search.dev_ids), holdout_cases=0)
    started = time.perf_counter()
    best = await _rounds(run, search)
    run.session.timed("search", time.perf_counter() - started)
    started = time.perf_counter()
    verdict = await search.confirm(best) if best else None
    run.session.timed("confirm", time.perf_counter() - started)
    return _conclude(run, search, best, verdict)


async def _rounds(run: Run, search: Search) -> str | None:
    """Round 1 on the generated candidates; each further round on variants written by
    reflecting on the best one's failures, with the best carried over."""
    rounds = run.options.rounds if run.optimizer is not None else 1
    if run.options.rounds > 1 and run.optimizer is None:
        search.notes.append("--rounds > 1 needs an optimizer model for reflection; ran one round")
    current = {c.id: c.text for c in run.session.candidates if c.accepted}
    best: str | None = None
    for round_no in range(1, rounds + 1):
        left = rounds - round_no + 1
        reserve = (left - 1) * run.options.variants * STRUCTURED_CALLS
        dev_calls = search.dev_budget()
        share = None if dev_calls is None else max(0, (dev_calls - reserve) // left)
        first_rung = len(search.rungs)
        best = await search.run_round(current, round_no, share) or best
        _record_rungs(run, search, first_rung)
        run.save()
        if round_no == rounds or best is None or search.exhausted:
            break
        current = await _reflect(run, search, best, round_no + 1)
        if not current:
            search.notes.append(f"round {round_no + 1}: reflection wrote no usable candidate; stopped")
            break
        current[best] = search.texts[best]
    return best


async def _reflect(run: Run, search: Search, best: str, round_no: int) -> dict[str, str]:
    assert run.meta is not None and run.optimizer is not None
    before_calls, before_usd = run.provider_calls, run.ledger.cost_usd
    evidence = _evidence(run, search, best)
    try:
        variants, dropped = await reflect(
            run.optimizer, run.meta, run.prompt, run.options.goal, evidence, run.options.variants, round_no
        )
    except BudgetExceeded as exc:
        search.notes.append(f"round {round_no}: no reflection: {exc}")
        search.exhausted = True
        return {}
    finally:
        search.budget.charge(run.provider_calls - before_calls, run.ledger.cost_usd - before_usd)
    run.session.dropped += [d.as_dict(round_no) for d in dropped]
    records = [_record(f"r{round_no}-{i}", v, round_no) for i, v in enumerate(variants, start=1)]
    _guard(run, records)
    run.save()
    return {r.id: r.text for r in records if r.accepted}


def _evidence(run: Run, search: Search, best: str) -> Evidence:
    results = search.store.on(best, search.dev_ids)
    failing: dict[str, tuple[str, ...]] = {}
    for result in results:
        if result.passed is not True and result.case_id not in failing:
            failing[result.case_id] = tuple(failure_reasons(result))  # type: ignore[arg-type]
    last = next(r.scores[best] for r in reversed(search.rungs) if best in r.scores)
    scores = (
        f"pass rate {last.pass_rate:.0%} vs the base's {last.base_pass_rate:.0%} on {last.samples} samples; "
        f"tokens x{last.tokens_ratio or 1:.2f} of the base"
    )
    return Evidence(search.texts[best], scores, tuple(list(failing.items())[:10]))


def _record_rungs(run: Run, search: Search, start: int) -> None:
    for rung in search.rungs[start:]:
        for label, score in rung.scores.items():
            run.session.candidate(label).dev_scores.append(
                {"round": rung.round, "cases": rung.cases, **score.as_dict(), "kept": label in rung.kept}
            )
        run.session.search["rungs"].append(
            {
                "round": rung.round,
                "cases": rung.cases,
                "candidates": list(rung.scores),
                "kept": list(rung.kept),
            }
        )
    run.session.search["calls"] = search.budget.calls


def _conclude(run: Run, search: Search, best: str | None, verdict: Verdict | None) -> OptimizeResult:
    session = run.session
    outcome = search.outcome(best, verdict)
    session.search.update(holdout_cases=outcome.holdout_cases, calls=outcome.calls, notes=list(outcome.notes))
    if best and verdict is not None:
        session.holdout = {"candidate": best, "cases": outcome.holdout_cases, "verdict": verdict.to_dict()}
    chosen = session.candidate(outcome.recommended) if outcome.recommended else None
    session.recommendation = _recommendation(best, verdict, outcome.recommended, outcome.notes)
    session.usage = run.ledger.as_dict()
    session.finish(outcome.status)
    return OptimizeResult(session, run.prompt.text, chosen)


def _recommendation(
    best: str | None, verdict: Verdict | None, recommended: str | None, notes: Sequence[str]
) -> dict[str, Any]:
    if recommended and verdict is not None:
        why = verdict.reasons[0] if verdict.reasons else ""
        return {
            "action": "adopt",
            "candidate": recommended,
            "summary": f"adopt {recommended}: {verdict.headline} on the holdout cases ({why})",
        }
    if best is None:
        summary = "keep the base: no candidate could be evaluated" + (f" ({notes[-1]})" if notes else "")
    elif verdict is None:
        summary = f"keep the base: the best dev candidate {best} could not be confirmed (budget ran out)"
    else:
        why = verdict.reasons[0] if verdict.reasons else ""
        summary = (
            f"keep the base: the best dev candidate {best} was {verdict.headline} on the holdout ({why})"
        )
    return {"action": "keep-base", "candidate": None, "summary": summary}


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
