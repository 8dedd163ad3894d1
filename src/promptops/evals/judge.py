"""Model-graded assertions: a judge model grades an output through structured output.

`llm-rubric`, `factuality`, `model-graded-closedqa`, `g-eval` and `answer-relevance` all go
through one judge prompt (`prompts/promptops/judge.md`, shipped as package data and read
with `meta_prompt("judge")`, so it is versioned and linted like any other prompt); each
type only words the rubric the way promptfoo's grader for it decides. A `rubricPrompt`
replaces the judge prompt with the user's own (text, or chat messages), filled with
`{{output}}`, `{{rubric}}`, `{{input}}` and the case's vars.
The judge answers {pass, score, reason} validated by a JSON Schema; a judge call that
fails is an *error* for that assertion, never a pass or a fail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from promptops.evals.assertions import REGISTRY, AssertionOutcome, AssertionSpec, Check, conclude
from promptops.evals.template import format_value, render_template
from promptops.llm.client import LLMClient
from promptops.llm.errors import LLMError
from promptops.llm.structured import complete_json
from promptops.llm.types import CompletionRequest
from promptops.repo.meta import meta_prompt
from promptops.repo.templates import VARIABLE

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
# A user's rubricPrompt words its own answer; promptfoo needs only `pass` from it.
CUSTOM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["pass"],
    "properties": {
        "pass": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reason": {"type": "string"},
    },
}
JUDGE_PARAMS = {"temperature": 0, "max_tokens": 512}

RUBRICS = {
    "factuality": (
        "Compare the factual content of the reply with this reference answer written by an expert:\n"
        "<reference>\n{value}\n</reference>\n"
        "Pass when the reply is consistent with the reference: it states the same facts, a subset "
        "of them, a superset of them, or differs only in details that do not matter for factuality. "
        "Fail when the reply and the reference disagree on any fact. Score 1 for full agreement, "
        "0 for a contradiction."
    ),
    "model-graded-closedqa": (
        "Does the reply meet this criterion?\n<criterion>\n{value}\n</criterion>\n"
        "Pass only when it clearly does (a yes/no judgement): score 1 for yes, 0 for no."
    ),
    "g-eval": (
        "Evaluate the reply against these criteria:\n<criteria>\n{value}\n</criteria>\n"
        "First work out the evaluation steps the criteria imply, then apply them to the reply. "
        "Score from 0 (fails the criteria entirely) to 1 (fully meets every one)."
    ),
    "answer-relevance": (
        "The reply is relevant to the question in <input>: it addresses what was asked directly "
        "and does not wander into unrelated material. Score from 0 (unrelated) to 1 (fully on "
        "point).{extra}"
    ),
}


def judge_prompt() -> str:
    """The judge's prompt template (`{{rubric}}`, `{{input}}`, `{{output}}`): meta-prompt `judge`."""
    return meta_prompt("judge")


def rubric_text(spec: AssertionSpec) -> str:
    """What the judge is asked to check, worded as promptfoo's grader for this type decides."""
    if spec.type == "llm-rubric":
        return str(spec.value)
    if spec.type == "answer-relevance":
        extra = f"\nAlso: {spec.value}" if spec.value else ""
        return RUBRICS["answer-relevance"].format(extra=extra)
    return RUBRICS[spec.type].format(value=spec.value)


def judge_request(
    spec: AssertionSpec,
    question: str,
    output: str,
    model: str,
    variables: Mapping[str, Any] | None = None,
) -> CompletionRequest:
    rubric = rubric_text(spec)
    if spec.rubric_prompt is None:
        text = render_template(judge_prompt(), {"rubric": rubric, "input": question, "output": output})
        messages: list[dict[str, Any]] = [{"role": "user", "content": text}]
        system = ""
    else:
        fill = {
            **(variables or {}),
            "output": output,
            "completion": output,
            "rubric": rubric,
            "criteria": rubric,
            "input": question,
            "ideal": spec.value if isinstance(spec.value, str) else "",
        }
        system, messages = _custom_messages(spec.rubric_prompt, fill)
    return CompletionRequest(model=model, system=system, messages=tuple(messages), params=dict(JUDGE_PARAMS))


def _custom_messages(prompt: Any, fill: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """A rubricPrompt as (system, messages): plain text is one user turn; chat messages keep roles."""
    if isinstance(prompt, str):
        try:
            parsed = json.loads(prompt)
        except ValueError:
            parsed = None
        prompt = parsed if isinstance(parsed, list) else prompt
    if isinstance(prompt, str):
        return "", [{"role": "user", "content": _fill(prompt, fill)}]
    system = "\n\n".join(_fill(str(m["content"]), fill) for m in prompt if m.get("role") == "system")
    messages = [
        {"role": m["role"], "content": _fill(str(m["content"]), fill)}
        for m in prompt
        if m.get("role") in ("user", "assistant")
    ]
    return system, messages


def _fill(text: str, fill: Mapping[str, Any]) -> str:
    """Fill the variables a rubricPrompt uses; any other `{{name}}` stays as written."""
    return VARIABLE.sub(lambda m: format_value(fill[m.group(1)]) if m.group(1) in fill else m.group(0), text)


async def grade(
    client: LLMClient,
    spec: AssertionSpec,
    question: str,
    output: str,
    model: str,
    variables: Mapping[str, Any] | None = None,
) -> AssertionOutcome:
    """Ask the judge; with a `threshold` (or the type's default one) the score decides, else its pass."""
    schema = JUDGE_SCHEMA if spec.rubric_prompt is None else CUSTOM_SCHEMA
    try:
        verdict = await complete_json(
            client, judge_request(spec, question, output, model, variables), schema, name="grade"
        )
    except LLMError as exc:
        return AssertionOutcome(None, 0.0, f"judge {model} failed: {exc}")
    raw_score = verdict.get("score")
    score = float(raw_score) if raw_score is not None else float(bool(verdict["pass"]))
    threshold = spec.threshold if spec.threshold is not None else REGISTRY[spec.type].default_threshold
    passed = score >= threshold if threshold is not None else bool(verdict["pass"])
    reason = f"judge score {score:.2f}: {verdict.get('reason') or 'no reason given'}"
    return conclude(Check(passed, reason, score), spec.negate)
