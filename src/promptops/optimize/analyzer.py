"""The analyzer: what the optimizer model thinks of a prompt, as validated JSON.

It sees what a careful reviewer would want: the text, its type and size, how it did in
its latest evaluation, which cases failed and why, and what goes wrong in production (the
top failure groups from execution logs). The reply must validate against
`schemas/analysis.schema.json`; the variant writer then gets it as context.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.evals.results import RUNS_DIR, EvalRun, load_run
from promptops.llm.client import LLMClient
from promptops.llm.structured import complete_json
from promptops.llm.types import CompletionRequest
from promptops.logs.failures import FailureGroup, summarize_failures
from promptops.optimize.evaluator import failure_reasons
from promptops.optimize.meta import MetaPrompts
from promptops.repo.agents import Prompt
from promptops.schemas import load_schema

MAX_FAILING_CASES = 10
MAX_FAILURE_GROUPS = 5
ANALYSIS_MAX_TOKENS = 2000


@dataclass(frozen=True)
class AnalysisInput:
    """Everything the analysis prompt is shown about one prompt."""

    prompt: Prompt
    goal: str | None = None
    eval_summary: str | None = None  # one line about the latest eval run, None if never evaluated
    failing_cases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (case id, reasons)
    failure_groups: tuple[FailureGroup, ...] = field(default=())


def gather_inputs(
    root: Path, prompt: Prompt, goal: str | None, log_paths: Sequence[Path] = ()
) -> AnalysisInput:
    """The latest saved eval run of the prompt's agent, and the top log failure groups."""
    run = latest_run(root, prompt.agent)
    groups: tuple[FailureGroup, ...] = ()
    if log_paths:
        groups = tuple(summarize_failures(log_paths, prompt.id, top=MAX_FAILURE_GROUPS).groups)
    return AnalysisInput(
        prompt=prompt,
        goal=goal,
        eval_summary=describe_run(run) if run else None,
        failing_cases=failing_cases(run) if run else (),
        failure_groups=groups,
    )


def latest_run(root: Path, agent_id: str) -> EvalRun | None:
    """The newest `.promptops/runs/*.json` of the agent (run ids sort by time)."""
    folder = root / RUNS_DIR
    for path in sorted(folder.glob(f"*-{agent_id}-*.json"), reverse=True) if folder.is_dir() else []:
        run = load_run(path)
        if run.agent == agent_id:
            return run
    return None


def describe_run(run: EvalRun) -> str:
    s = run.summary
    return (
        f"run {run.run_id} ({run.label}, model {run.model}, split {run.split}): pass rate {s.pass_rate:.1%} "
        f"(95% CI {s.pass_rate_low:.1%}-{s.pass_rate_high:.1%}) on {s.cases} cases x {run.repeat} repeat(s); "
        f"{s.failed} failed, {s.errors} errors; {s.input_tokens:,} in / {s.output_tokens:,} out tokens"
    )


def failing_cases(run: EvalRun) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out: dict[str, tuple[str, ...]] = {}
    for result in run.results:
        if result.passed is not True and result.case_id not in out:
            out[result.case_id] = tuple(failure_reasons(result))
    return tuple(list(out.items())[:MAX_FAILING_CASES])


def render_analysis_input(inputs: AnalysisInput) -> str:
    """The user message: the prompt and its evidence, in plainly labelled sections."""
    p = inputs.prompt
    lines = [
        f"Prompt id: {p.id}",
        f"Prompt type: {p.type}",
        f"Token count: {p.tokens}",
        f"Optimization goal: {inputs.goal or 'not chosen yet'}",
        "",
        "<prompt>",
        p.text,
        "</prompt>",
        "",
        f"Latest evaluation: {inputs.eval_summary or 'none (the prompt has not been evaluated yet)'}",
    ]
    if inputs.failing_cases:
        lines.append("Failing eval cases:")
        lines += [f"- {case}: {'; '.join(reasons) or 'failed'}" for case, reasons in inputs.failing_cases]
    if inputs.failure_groups:
        lines.append("Most frequent production failures (from execution logs):")
        lines += [
            f"- {g.count}x {g.error_type}: {g.pattern} (e.g. {g.example!r})" for g in inputs.failure_groups
        ]
    return "\n".join(lines)


def analysis_request(meta: MetaPrompts, inputs: AnalysisInput, model: str) -> CompletionRequest:
    return CompletionRequest(
        model=model,
        system=meta.analysis,
        messages=({"role": "user", "content": render_analysis_input(inputs)},),
        params={"max_tokens": ANALYSIS_MAX_TOKENS, "temperature": 0},
    )


async def analyze(client: LLMClient, meta: MetaPrompts, inputs: AnalysisInput) -> dict[str, Any]:
    """The analysis, validated against `analysis.schema.json` (StructuredOutputError if not)."""
    request = analysis_request(meta, inputs, client.model)
    return await complete_json(client, request, load_schema("analysis"), name="analysis")


def analysis_brief(analysis: dict[str, Any] | None) -> str:
    """The analysis as compact JSON for the variant writer's context."""
    return json.dumps(analysis, ensure_ascii=False, indent=1) if analysis else "(no analysis)"
