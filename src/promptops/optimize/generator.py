"""The variant writer: N rewrites of a prompt for a goal, concurrently, through the LLM.

Each variant gets a different variation hint (restructure, refine, a different
approach, ...) so the candidates differ in kind rather than in wording. Replies must
validate against `schemas/variant.schema.json`; a variant whose reply is unusable even
after the structured-output repairs, or whose call fails, is dropped with its reason
rather than sinking the run. Reflection (`--rounds`) uses the same machinery with the
best candidate's failing cases as evidence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from promptops.llm.client import LLMClient
from promptops.llm.errors import BudgetExceeded, LLMError, StructuredOutputError
from promptops.llm.structured import complete_json
from promptops.llm.types import CompletionRequest
from promptops.optimize.analyzer import analysis_brief
from promptops.optimize.meta import MetaPrompts
from promptops.repo.agents import Prompt
from promptops.schemas import load_schema

VARIANT_MAX_TOKENS = 4000
RAW_KEEP = 2000  # characters of an unusable reply kept in the session for inspection


@dataclass(frozen=True)
class Variant:
    text: str
    change_summary: str
    hypothesis: str
    expected_effect: str
    hint: str | None
    origin: str  # "llm" | "reflection"


@dataclass(frozen=True)
class Dropped:
    """A variant that could not be had, and why."""

    origin: str
    hint: str | None
    reason: str
    raw: str | None = None

    def as_dict(self, round_no: int) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "round": round_no,
            "variation_hint": self.hint,
            "reason": self.reason,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class Evidence:
    """What reflection shows the model about the best candidate so far."""

    text: str
    scores: str  # its dev scores in words
    failing: tuple[tuple[str, tuple[str, ...]], ...]  # (case id, reasons)


def variant_request(
    meta: MetaPrompts,
    prompt: Prompt,
    goal: str,
    analysis: dict[str, Any] | None,
    hint: str,
    model: str,
    index: int,
) -> CompletionRequest:
    system = f"{meta.variant}\n\n## Goal: {goal}\n\n{meta.goals.get(goal, '')}".strip()
    user = "\n".join(
        [
            f"Prompt id: {prompt.id} (type {prompt.type}, {prompt.tokens} tokens)",
            "<prompt>",
            prompt.text,
            "</prompt>",
            "",
            "Analysis of this prompt:",
            analysis_brief(analysis),
            "",
            f"Variation hint for this variant: {hint or 'none'}",
        ]
    )
    return _writer_request(system, user, model, index)


def reflection_request(
    meta: MetaPrompts, prompt: Prompt, goal: str, evidence: Evidence, hint: str, model: str, index: int
) -> CompletionRequest:
    system = f"{meta.reflect}\n\n## Goal: {goal}\n\n{meta.goals.get(goal, '')}".strip()
    failing = [f"- {case}: {'; '.join(reasons) or 'failed'}" for case, reasons in evidence.failing]
    user = "\n".join(
        [
            f"Original prompt {prompt.id} (type {prompt.type}):",
            "<prompt>",
            prompt.text,
            "</prompt>",
            "",
            "Best candidate so far:",
            "<candidate>",
            evidence.text,
            "</candidate>",
            f"Its scores on the dev cases: {evidence.scores}",
            "",
            "Dev cases it still fails, with the reasons:",
            *(failing or ["- none"]),
            "",
            f"Variation hint for this variant: {hint or 'none'}",
        ]
    )
    return _writer_request(system, user, model, index)


async def write_variants(
    client: LLMClient, requests: Sequence[tuple[CompletionRequest, str]], origin: str
) -> tuple[list[Variant], list[Dropped]]:
    """Send the (request, hint) pairs concurrently; keep the usable replies, drop the rest.

    BudgetExceeded is not a bad variant: it propagates once the others have settled.
    """
    schema = load_schema("variant")
    replies = await asyncio.gather(
        *(complete_json(client, req, schema, name="variant") for req, _ in requests), return_exceptions=True
    )
    variants, dropped = [], []
    budget_error: BudgetExceeded | None = None
    for (_, hint), reply in zip(requests, replies, strict=True):
        if isinstance(reply, StructuredOutputError):
            dropped.append(Dropped(origin, hint, f"unusable reply: {reply}", reply.raw_text[:RAW_KEEP]))
        elif isinstance(reply, BudgetExceeded):
            budget_error = reply
            dropped.append(Dropped(origin, hint, f"not written: {reply}"))
        elif isinstance(reply, LLMError):
            dropped.append(Dropped(origin, hint, f"the model call failed: {reply}"))
        elif isinstance(reply, BaseException):
            raise reply
        else:
            variants.append(
                Variant(
                    reply["text"],
                    reply["change_summary"],
                    reply["hypothesis"],
                    reply["expected_effect"],
                    hint,
                    origin,
                )
            )
    if budget_error is not None and not variants:
        raise budget_error
    return variants, dropped


async def generate_variants(
    client: LLMClient,
    meta: MetaPrompts,
    prompt: Prompt,
    goal: str,
    analysis: dict[str, Any] | None,
    count: int,
) -> tuple[list[Variant], list[Dropped]]:
    """`count` variants, each with its own variation hint."""
    requests = [
        (variant_request(meta, prompt, goal, analysis, meta.hint(i), client.model, i), meta.hint(i))
        for i in range(count)
    ]
    return await write_variants(client, requests, "llm")


async def reflect(
    client: LLMClient,
    meta: MetaPrompts,
    prompt: Prompt,
    goal: str,
    evidence: Evidence,
    count: int,
    round_no: int,
) -> tuple[list[Variant], list[Dropped]]:
    """`count` new variants written from the best candidate's failures."""
    requests = [
        (
            reflection_request(meta, prompt, goal, evidence, meta.hint(i), client.model, round_no * 100 + i),
            meta.hint(i),
        )
        for i in range(count)
    ]
    return await write_variants(client, requests, "reflection")


def _writer_request(system: str, user: str, model: str, index: int) -> CompletionRequest:
    """Variants are sampled at temperature 1 (diversity is the point); `index` keeps each
    variant its own cache entry."""
    return CompletionRequest(
        model=model,
        system=system,
        messages=({"role": "user", "content": user},),
        params={"max_tokens": VARIANT_MAX_TOKENS, "temperature": 1.0},
        sample=index,
    )
