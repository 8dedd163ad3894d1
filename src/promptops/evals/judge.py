"""`llm-rubric`: a judge model grades an output against a rubric through structured output.

The judge prompt is one of promptops's own prompts (`prompts/promptops/judge.md`, shipped
as package data and read with `meta_prompt("judge")`), so it is versioned and linted like
any other prompt.
The judge answers {pass, score, reason} validated by a JSON Schema; a judge call that
fails is an *error* for that assertion, never a pass or a fail.
"""

from __future__ import annotations

from typing import Any

from promptops.evals.assertions import AssertionOutcome, AssertionSpec, Check, conclude
from promptops.evals.template import render_template
from promptops.llm.client import LLMClient
from promptops.llm.errors import LLMError
from promptops.llm.structured import complete_json
from promptops.llm.types import CompletionRequest
from promptops.repo.meta import meta_prompt

JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["pass", "score", "reason"],
    "properties": {
        "pass": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reason": {"type": "string"},
    },
}
JUDGE_PARAMS = {"temperature": 0, "max_tokens": 512}


def judge_prompt() -> str:
    """The judge's prompt template (`{{rubric}}`, `{{input}}`, `{{output}}`): meta-prompt `judge`."""
    return meta_prompt("judge")


def judge_request(spec: AssertionSpec, question: str, output: str, model: str) -> CompletionRequest:
    text = render_template(judge_prompt(), {"rubric": spec.value, "input": question, "output": output})
    return CompletionRequest(
        model=model, system="", messages=({"role": "user", "content": text},), params=dict(JUDGE_PARAMS)
    )


async def grade(
    client: LLMClient, spec: AssertionSpec, question: str, output: str, model: str
) -> AssertionOutcome:
    """Ask the judge; with a `threshold` the score decides, otherwise the judge's pass."""
    try:
        verdict = await complete_json(client,
            judge_request(spec, question, output, model), JUDGE_SCHEMA, name="grade"
        )
    except LLMError as exc:
        return AssertionOutcome(None, 0.0, f"judge {model} failed: {exc}")
    score = float(verdict["score"])
    passed = score >= spec.threshold if spec.threshold is not None else bool(verdict["pass"])
    reason = f"judge score {score:.2f}: {verdict['reason']}"
    return conclude(Check(passed, reason, score), spec.negate)
