"""Selection rounds on the dev cases (with reflection between them), the confirmation,
and the recommendation, each recorded in the session."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from promptops.llm.errors import BudgetExceeded
from promptops.optimize.candidates import guard_records, variant_record
from promptops.optimize.case_changes import holdout_case_changes
from promptops.optimize.evaluator import SuiteEvaluator, failure_reasons
from promptops.optimize.generator import Evidence, reflect
from promptops.optimize.run import STRUCTURED_CALLS, OptimizeResult, Run, case_ids
from promptops.optimize.search import BASE, Confirmation, Search, SearchSettings
from promptops.optimize.session import cases_record
from promptops.stats import DecisionSettings, Verdict


async def search_and_confirm(run: Run) -> OptimizeResult:
    assert run.suite is not None
    options = run.options
    settings = SearchSettings(
        goal=options.goal,
        decision=DecisionSettings.from_config(run.config),
        repeat=int(run.config.get("evals.repeat")),
        budget_calls=options.budget_calls,
        budget_usd=options.budget_usd,
    )
    assert run.model_client is not None
    evaluator = SuiteEvaluator(run.model_client, run.agent, run.prompt.name, run.suite)
    search = Search(
        evaluator, run.prompt.text, case_ids(run.suite, "dev"), case_ids(run.suite, "holdout"), settings
    )
    search.budget.charge(run.provider_calls, run.ledger.cost_usd)
    run.session.search.update(dev_cases=len(search.dev_ids), holdout_cases=len(search.holdout_ids))
    run.session.cases = cases_record(run.suite)
    await search.plan(sum(c.accepted for c in run.session.candidates))
    if options.budget_usd is not None:
        run.session.search["dollar_plan"] = _dollar_plan(search, evaluator, options.budget_usd)
    run.save()
    started = time.perf_counter()
    best = await _rounds(run, search)
    run.session.timed("search", time.perf_counter() - started)
    started = time.perf_counter()
    confirmations = await search.confirm(search.ranked()) if best else []
    run.session.timed("confirm", time.perf_counter() - started)
    return _conclude(run, search, best, confirmations)


def _dollar_plan(search: Search, evaluator: SuiteEvaluator, budget_usd: float) -> dict[str, Any]:
    """How many evaluation calls the dollars left buy: at least (at the worst case the
    budget reserves per call) and about (at the price the base's first calls cost)."""
    left = max(budget_usd - search.budget.cost_usd, 0.0)
    worst, measured = evaluator.worst_case_usd, evaluator.usd_per_call
    at_least = int(left / worst) if worst else None
    about = int(left / measured) if measured else None
    if about is None:
        buys = "evaluation calls at no cost"
    else:
        buys = f"about {about:,} evaluation calls at ${measured:.5f} each"
        if evaluator.calls:
            buys += f" (the mean of the first {evaluator.calls})"
        if at_least is not None:
            buys += f", at least {at_least:,} at the ${worst:.5f} the budget reserves per call"
    return {
        "budget_usd": budget_usd,
        "spent_usd": round(search.budget.cost_usd, 6),
        "usd_per_call": measured,
        "worst_case_usd": worst,
        "calls": about,
        "calls_at_least": at_least,
        "summary": f"${budget_usd:g}: ${search.budget.cost_usd:.4f} spent so far; ${left:.4f} left buys "
        + buys,
    }


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
        search.stop_for_budget(f"round {round_no} could not be written: {exc}")
        return {}
    finally:
        search.budget.charge(run.provider_calls - before_calls, run.ledger.cost_usd - before_usd)
    run.session.dropped += [d.as_dict(round_no) for d in dropped]
    records = [variant_record(f"r{round_no}-{i}", v, round_no) for i, v in enumerate(variants, start=1)]
    guard_records(run, records)
    run.save()
    return {r.id: r.text for r in records if r.accepted}


def _evidence(run: Run, search: Search, best: str) -> Evidence:
    results = search.store.on(best, search.dev_ids)
    failing: dict[str, tuple[str, ...]] = {}
    for result in results:
        if result.passed is not True and result.case_id not in failing and len(failing) < 10:
            failing[result.case_id] = tuple(failure_reasons(result))  # type: ignore[arg-type]
    # The writer sees these cases' failures, so a variant may be fitted to them: they are
    # left out of the confirmation.
    search.shown_to_writer.update(failing)
    last = next(r.scores[best] for r in reversed(search.rungs) if best in r.scores)
    scores = (
        f"pass rate {last.pass_rate:.0%} vs the base's {last.base_pass_rate:.0%} on {last.samples} samples; "
        f"tokens x{last.tokens_ratio or 1:.2f} of the base"
    )
    return Evidence(search.texts[best], scores, tuple(failing.items()))


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


def _conclude(
    run: Run, search: Search, best: str | None, confirmations: Sequence[Confirmation]
) -> OptimizeResult:
    session = run.session
    outcome = search.outcome(confirmations, best)
    session.search.update(
        holdout_cases=len(search.holdout_ids),
        confirmation_cases=outcome.confirmation_cases,
        calls=outcome.calls,
        notes=list(outcome.notes),
        confirmations=[_confirmation_record(c) for c in confirmations],
        selection_ids=search.selected_on,
        shown_to_writer=sorted(search.shown_to_writer),
    )
    chosen_confirmation = next((c for c in confirmations if c.candidate == outcome.winner), None)
    if chosen_confirmation is not None:
        cases = chosen_confirmation.case_ids
        session.holdout = {
            "candidate": chosen_confirmation.candidate,
            "cases": len(cases),
            "alpha": chosen_confirmation.alpha,
            "tested": chosen_confirmation.tested,
            "case_ids": list(cases),
            "verdict": chosen_confirmation.verdict.to_dict(),
            "case_changes": holdout_case_changes(
                search.store.on(BASE, cases), search.store.on(chosen_confirmation.candidate, cases)
            ),
        }
    chosen = session.candidate(outcome.recommended) if outcome.recommended else None
    session.recommendation = _recommendation(best, outcome.verdict, outcome.recommended, outcome.notes)
    session.usage = run.ledger.as_dict()
    session.finish(outcome.status)
    return OptimizeResult(session, run.prompt.text, chosen)


def _confirmation_record(confirmation: Confirmation) -> dict[str, Any]:
    return {
        "candidate": confirmation.candidate,
        "cases": len(confirmation.case_ids),
        "alpha": confirmation.alpha,
        "outcome": confirmation.verdict.outcome,
        "headline": confirmation.verdict.headline,
    }


def _recommendation(
    best: str | None, verdict: Verdict | None, recommended: str | None, notes: Sequence[str]
) -> dict[str, Any]:
    if recommended and verdict is not None:
        why = verdict.reasons[0] if verdict.reasons else ""
        return {
            "action": "adopt",
            "candidate": recommended,
            "summary": f"adopt {recommended}: {verdict.headline} on the confirmation cases ({why})",
        }
    if best is None:
        summary = "keep the base: no candidate could be evaluated" + (f" ({notes[-1]})" if notes else "")
    elif verdict is None:
        summary = f"keep the base: the best dev candidate {best} could not be confirmed (budget ran out)"
    else:
        why = verdict.reasons[0] if verdict.reasons else ""
        summary = (
            f"keep the base: the best dev candidate {best} was {verdict.headline} on the confirmation cases "
            f"({why})"
        )
    return {"action": "keep-base", "candidate": None, "summary": summary}
