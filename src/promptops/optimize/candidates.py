"""Round-1 candidates: written by the optimizer model and/or the edit generator, guarded
against the invariants, and recorded in the session before any of them is evaluated."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from promptops.errors import InputError, PromptopsError
from promptops.llm.client import LLMClient
from promptops.llm.errors import StructuredOutputError
from promptops.optimize.analyzer import analyze, gather_inputs
from promptops.optimize.edits import edit_candidates
from promptops.optimize.generator import RAW_KEEP, Dropped, Variant, generate_variants
from promptops.optimize.invariants import GuardResult, guard_all
from promptops.optimize.run import OptimizeResult, Run
from promptops.optimize.session import CandidateRecord
from promptops.repo.agents import Agent, Prompt, parse_examples


async def generate_candidates(run: Run) -> None:
    """Analysis and round-1 candidates (LLM and/or edits), guarded and recorded."""
    started = time.perf_counter()
    variants: list[Variant] = []
    if run.optimizer is not None:
        variants = await _write_variants(run, run.optimizer)
    records = [variant_record(f"v{i}", v, 1) for i, v in enumerate(variants, start=1)]
    if run.meta is None or run.options.goal == "conciseness":
        records += _edit_records(run)
    guard_records(run, records)
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
    try:
        run.session.analysis = await analyze(client, run.meta, inputs)
    except StructuredOutputError as exc:
        # The analysis is context for the writer, not a precondition: go on without it.
        dropped = Dropped(
            "analysis",
            None,
            f"unusable analysis, variants written without it: {exc}",
            exc.raw_text[:RAW_KEEP],
        )
        run.session.dropped.append(dropped.as_dict(1))
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


def variant_record(candidate_id: str, variant: Variant, round_no: int) -> CandidateRecord:
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
        required_variables=required_variables(run),
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


def required_variables(run: Run) -> tuple[str, ...]:
    return run.agent.invariants.variables if run.prompt.type == "user_template" else ()


def other_prompt_tokens(agent: Agent, prompt: Prompt) -> int:
    """Tokens of the agent's other prompts, which share `invariants.max_tokens` with this one."""
    return sum(p.tokens for name, p in agent.prompts.items() if name != prompt.name)


def guard_records(run: Run, records: Sequence[CandidateRecord]) -> None:
    earlier = {c.id: c.text for c in run.session.candidates if c.accepted}
    results = guard_all(
        {r.id: r.text for r in records},
        run.prompt.text,
        run.agent.invariants,
        required_variables=required_variables(run),
        accepted=earlier,
        other_tokens=other_prompt_tokens(run.agent, run.prompt),
    )
    for record in records:
        result = results[record.id]
        if result.ok and run.prompt.type == "few_shot":
            result = _check_examples(record, result)
        record.guarded(result)
        run.session.candidates.append(record)


def _check_examples(record: CandidateRecord, result: GuardResult) -> GuardResult:
    """Few-shot examples are YAML data: a variant that is not a valid examples file would
    only fail every evaluation, so it is rejected like any other broken invariant."""
    try:
        parse_examples(record.text, Path(f"<candidate {record.id}>"))
    except InputError as exc:
        return GuardResult(
            ok=False, reasons=(f"not a valid few-shot examples file: {exc}",), tokens=result.tokens
        )
    return result


def unevaluated_result(run: Run) -> OptimizeResult:
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
