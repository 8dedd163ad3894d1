"""Judging one output with one assertion of any mode: local, context, judge, embedding, code or set.

The runner holds one `Assessor` per run: the judge calls go through the run's LLMClient
(sharing its cache, limit and budget) and the `similar` vectors through one
EmbeddingClient, opened only when a suite has such an assertion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from promptops.evals.assertions import (
    REGISTRY,
    AssertionContext,
    AssertionOutcome,
    AssertionSpec,
    Check,
    conclude,
    error,
    evaluate,
)
from promptops.llm.client import LLMClient
from promptops.llm.embeddings import EmbeddingClient, EmbeddingSettings
from promptops.llm.errors import LLMError
from promptops.llm.types import Completion


@dataclass
class Assessor:
    client: LLMClient
    embedding_settings: EmbeddingSettings | None = None
    _embeddings: EmbeddingClient | None = field(default=None, repr=False)

    async def assess(
        self, spec: AssertionSpec, output: Completion, context: AssertionContext, judge_model: str
    ) -> AssertionOutcome:
        mode = REGISTRY[spec.type].mode
        if mode == "judge":
            from promptops.evals.judge import grade  # loaded by the first judged assertion

            model = spec.provider or judge_model
            return await grade(self.client, spec, context.prompt, output.text, model, context.vars)
        if mode == "embedding":
            return await self._similar(spec, output)
        if mode == "code":
            from promptops.evals.code_run import run_code

            return await run_code(spec, output, context)
        if mode == "set":
            return await self._set(spec, output, context, judge_model)
        return evaluate(spec, output, context)

    async def _similar(self, spec: AssertionSpec, output: Completion) -> AssertionOutcome:
        if self.embedding_settings is None:
            return error("could not run: no embeddings endpoint is configured (evals.embeddings)")
        if self._embeddings is None:
            self._embeddings = EmbeddingClient(self.embedding_settings)
        try:
            first, *expected = await self._embeddings.embed([output.text, *spec.value], model=spec.provider)
            best, text = max((cosine(first, v), t) for v, t in zip(expected, spec.value, strict=True))
        except (LLMError, ValueError) as exc:
            return error(f"could not run: {exc}")
        threshold = spec.threshold if spec.threshold is not None else REGISTRY["similar"].default_threshold
        ok = best >= (threshold or 0.0)
        reason = f"cosine similarity {best:.3f} {'>=' if ok else '<'} {threshold:g} to {text[:40]!r}"
        return conclude(Check(ok, reason, max(0.0, best)), spec.negate)

    async def _set(
        self, spec: AssertionSpec, output: Completion, context: AssertionContext, judge_model: str
    ) -> AssertionOutcome:
        results = [(c, await self.assess(c, output, context, judge_model)) for c in spec.children]
        counted = [(c, o) for c, o in results if c.weight > 0]
        broken = next(((c, o) for c, o in counted if o.passed is None), None)
        if broken is not None:
            return error(f"{broken[0].label} ({broken[0].origin}) {broken[1].reason}")
        total = sum(c.weight for c, _ in counted)
        score = sum(c.weight * o.score for c, o in counted) / total if total else 1.0
        passed = score >= spec.threshold if spec.threshold is not None else all(o.passed for _, o in counted)
        failed = [f"{c.label}: {o.reason}" for c, o in counted if not o.passed]
        n = len(counted)
        reason = f"{n - len(failed)}/{n} passed, score {score:.2f}" + (
            f"; {'; '.join(failed)}" if failed else ""
        )
        return conclude(Check(passed, reason, score), spec.negate)

    async def aclose(self) -> None:
        if self._embeddings is not None:
            await self._embeddings.aclose()


def cosine(a: list[float], b: list[float]) -> float:
    if len(a) != len(b):
        raise ValueError(f"embedding sizes differ ({len(a)} and {len(b)})")
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else 0.0
