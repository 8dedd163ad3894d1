"""What the search asks of an evaluator, and the store of every result it got back.

The search talks to an abstract `Evaluator`, so the same code runs against the eval engine
(`promptops.optimize.evaluator`) and the simulated candidates of the benchmark. Results are
kept per (prompt, case, repeat) and never re-requested: the base is paid for once per case,
and a candidate carried into a later step keeps its results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class ResultLike(Protocol):
    """What the search reads of one result (the eval engine's CaseResult has these)."""

    case_id: str
    repeat_index: int
    passed: bool | None
    input_tokens: int
    output_tokens: int
    latency_ms: float
    cost_usd: float
    tags: Any


@dataclass(frozen=True)
class EvalBatch:
    """Results of some prompts on some cases, and what producing them cost."""

    results: Mapping[str, Sequence[ResultLike]]  # by prompt label
    calls: int
    cost_usd: float
    stopped: str | None = None  # "budget" when the evaluator ran out part way (results are partial)


class Evaluator(Protocol):
    """Runs prompt texts on cases. `calls_per_sample` is the model calls one (prompt, case,
    repeat) costs (1, more with judge assertions); the search plans its budget with it."""

    calls_per_sample: int

    async def evaluate(
        self, prompt_texts: Mapping[str, str], case_ids: Sequence[str], repeat: int
    ) -> EvalBatch: ...


@dataclass
class ResultStore:
    """Every result so far, by prompt label and (case, repeat)."""

    by_label: dict[str, dict[tuple[str, int], ResultLike]] = field(default_factory=dict)

    def add(self, batch: EvalBatch) -> None:
        for label, results in batch.results.items():
            slot = self.by_label.setdefault(label, {})
            for result in results:
                slot[(result.case_id, result.repeat_index)] = result

    def missing(self, label: str, case_ids: Sequence[str], repeat: int) -> list[str]:
        have = self.by_label.get(label, {})
        return [c for c in case_ids if any((c, r) not in have for r in range(repeat))]

    def on(self, label: str, case_ids: Sequence[str]) -> list[ResultLike]:
        wanted = set(case_ids)
        return [r for (c, _), r in self.by_label.get(label, {}).items() if c in wanted]

    def cases_of(self, label: str) -> set[str]:
        return {c for c, _ in self.by_label.get(label, {})}
