"""The async runner: cases x repeats for one or more prompt sets, through one LLMClient.

All prompt sets of a run (base and head, or several variants) go through the same client,
so they share its concurrency limit, cache and budget. Every request is rendered before the
first call, so a missing var stops the run before anything is spent. When the budget runs
out or the run is cancelled (Ctrl-C), the samples that finished are kept and returned
with `stopped` set; they are in the response cache, so re-running the same command resumes
for free.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from promptops.evals.assertions import REGISTRY, AssertionContext, AssertionSpec, evaluate
from promptops.evals.assess import Assessor
from promptops.evals.cases import Case, Suite
from promptops.evals.render import RenderedCase, render_case
from promptops.evals.results import (
    AssertionResult,
    CaseResult,
    EvalRun,
    new_run_id,
    now_iso,
    score_case,
    summarize_results,
)
from promptops.evals.shards import Shard, select_shard, shard_record
from promptops.llm.client import LLMClient
from promptops.llm.errors import BudgetExceeded, LLMError
from promptops.llm.types import Completion

if TYPE_CHECKING:
    from promptops.repo.agents import Agent

Progress = Callable[[int, int], None]  # (samples done, samples planned)


@dataclass(frozen=True)
class PromptSet:
    """One set of prompts to evaluate: the agent as loaded (or with variant texts), and a label."""

    label: str
    agent: Agent
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class _Job:
    set_index: int
    case: Case
    repeat_index: int
    rendered: RenderedCase


async def run_eval(
    client: LLMClient,
    agent: Agent,
    suite: Suite,
    *,
    repeat: int = 1,
    split: str = "all",
    case_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    model: str | None = None,
    filter_text: str | None = None,
    label: str = "head",
) -> EvalRun:
    """Evaluate one agent's prompts on the suite's cases."""
    runs = await run_evals(
        client,
        [PromptSet(label, agent, agent.ref)],
        suite,
        repeat=repeat,
        split=split,
        case_ids=case_ids,
        progress=progress,
        model=model,
        filter_text=filter_text,
    )
    return runs[0]


async def run_evals(
    client: LLMClient,
    prompt_sets: Sequence[PromptSet],
    suite: Suite,
    *,
    repeat: int = 1,
    split: str = "all",
    case_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    model: str | None = None,
    filter_text: str | None = None,
    shard: Shard | None = None,
) -> list[EvalRun]:
    """Evaluate several prompt sets on the same cases and samples, concurrently; one EvalRun each.

    With `shard`, only that shard's cases (see promptops.evals.shards) run, every repeat of each.
    """
    cases = suite.select(split, case_ids, filter_text)
    if shard is not None:
        cases = select_shard(cases, shard)
    models = [model or s.agent.model or suite.model for s in prompt_sets]
    # Interleaved (case, repeat, then prompt set) so that a run stopped early by the budget or
    # Ctrl-C holds the same samples for every prompt set, which keeps the comparison paired.
    jobs = [
        _Job(i, case, r, render_case(s.agent, case, model=models[i], repeat_index=r))
        for case in cases
        for r in range(max(repeat, case.repeat or 1))
        for i, s in enumerate(prompt_sets)
    ]
    done: dict[int, CaseResult] = {}
    stopped = await _run_jobs(client, jobs, done, suite, progress)
    runs = []
    for i, prompt_set in enumerate(prompt_sets):
        mine = [k for k, job in enumerate(jobs) if job.set_index == i]
        results = [done[k] for k in mine if k in done]
        run = _make_run(prompt_set, suite, models[i], client, results, len(mine), split, repeat, stopped)
        runs.append(replace(run, shard=shard_record(shard, cases, filter_text)) if shard else run)
    return runs


async def _run_jobs(
    client: LLMClient, jobs: list[_Job], done: dict[int, CaseResult], suite: Suite, progress: Progress | None
) -> str | None:
    """Run every job; returns why it stopped early ("budget", "interrupted") or None.

    A few workers (twice the client's concurrency, so a slot freed is taken at once) take the
    jobs in order: a task per job cost ~3 KB each, 30 MB at 10,000 cases, for no speed.
    """
    budget_reached = False
    assessor = Assessor(client, suite.embeddings)
    queue = iter(enumerate(jobs))

    async def worker() -> None:
        nonlocal budget_reached
        for index, job in queue:  # one shared iterator: each job is taken once
            judge_model = suite.judge_model or job.rendered.request.model
            try:
                sample = run_sample(assessor, job.rendered, job.case, job.repeat_index, judge_model)
                done[index] = await sample
            except BudgetExceeded:
                budget_reached = True  # calls already in flight still finish; no new one passes the budget
                continue
            if progress is not None:
                progress(len(done), len(jobs))

    width = min(len(jobs), max(1, 2 * client.max_concurrency))
    if client.batches is not None:  # a Message Batch is what is queued at once: queue every job
        width = max(1, len(jobs))
    tasks = [asyncio.create_task(worker()) for _ in range(width)]
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        # Ctrl-C: keep what finished (it is cached) and report a partial run instead of losing it.
        return "interrupted"
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)
            await assessor.aclose()
    return "budget" if budget_reached else None


async def run_sample(
    assessor: Assessor, rendered: RenderedCase, case: Case, repeat_index: int, judge_model: str
) -> CaseResult:
    """One sample: call the model, run each assertion, score the case."""
    try:
        completion = await assessor.client.complete(rendered.request)
    except LLMError as exc:
        skipped = tuple(_result(s, None, 0.0, "not run: the model call failed") for s in case.assertions)
        message = f"model call failed: {exc.args[0] if exc.args else exc}"
        return CaseResult(
            case.id, repeat_index, case.split, case.tags, None, None, None, skipped, error=message
        )
    output = replace(completion, text=rendered.prefill + completion.text) if rendered.prefill else completion
    context = None  # built for the first assertion that reads more than the output
    outcomes = []
    for spec in case.assertions:
        if REGISTRY[spec.type].mode == "local":  # judged from the output alone, here and now
            outcome = evaluate(spec, output)
        else:
            context = context or _context(case, rendered)
            outcome = await assessor.assess(spec, output, context, judge_model)
        outcomes.append(_result(spec, outcome.passed, outcome.score, outcome.reason))
    passed, score = score_case(tuple(outcomes), case.threshold)
    error = next(
        (f"{a.type} ({a.origin}) {a.reason}" for a in outcomes if a.passed is None and a.weight > 0), None
    )
    return _case_result(case, repeat_index, output, tuple(outcomes), passed, score, error)


def _context(case: Case, rendered: RenderedCase) -> AssertionContext:
    return AssertionContext(
        vars=case.vars,
        prompt=str(rendered.request.messages[-2 if rendered.prefill else -1]["content"]),
        system=rendered.request.system,
        tools=rendered.request.tools,
        case_id=case.id,
        description=case.description,
        metadata=case.metadata,
    )


def _result(spec: AssertionSpec, passed: bool | None, score: float, reason: str) -> AssertionResult:
    return AssertionResult(spec.label, passed, score, spec.weight, reason, spec.origin)


def _case_result(
    case: Case,
    repeat_index: int,
    completion: Completion,
    assertions: tuple[AssertionResult, ...],
    passed: bool | None,
    score: float | None,
    error: str | None,
) -> CaseResult:
    return CaseResult(
        case_id=case.id,
        repeat_index=repeat_index,
        split=case.split,
        tags=case.tags,
        output=completion.text,
        passed=passed,
        score=score,
        assertions=assertions,
        latency_ms=completion.latency_ms,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        cost_usd=completion.cost_usd,
        error=error,
        cached=completion.cached,
        stop_reason=completion.stop_reason,
        tool_calls=tuple(
            {"name": c.name, "arguments": c.arguments, "id": c.id} for c in completion.tool_calls
        ),
    )


def _make_run(
    prompt_set: PromptSet,
    suite: Suite,
    model: str,
    client: LLMClient,
    results: list[CaseResult],
    planned: int,
    split: str,
    repeat: int,
    stopped: str | None,
) -> EvalRun:
    agent = prompt_set.agent
    return EvalRun(
        run_id=new_run_id(agent.id, prompt_set.label),
        agent=agent.id,
        label=prompt_set.label,
        created_at=now_iso(),
        ref=prompt_set.ref,
        prompt_versions={name: p.version_id for name, p in agent.prompts.items()},
        prompt_files={name: p.rel_path for name, p in agent.prompts.items()},
        model=model,
        params=dict(agent.params),
        provider=getattr(client.provider, "name", type(client.provider).__name__),
        suite_path=suite.rel_path or str(suite.path),
        split=split,
        repeat=repeat,
        results=results,
        summary=summarize_results(results, planned),
        judge_model=suite.judge_model,
        stopped=stopped,
        usage={"samples": len(results), "cached_samples": sum(r.cached for r in results)},
        suite_digest=suite.digest,
    )
