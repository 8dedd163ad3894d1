"""What the budget-aware search works with: its settings, the evaluator it calls, the results
it keeps, what it spends, and the outcome it reports (the search itself is `search`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from promptops.stats import DecisionSettings, Verdict

BASE = "base"


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


@dataclass(frozen=True)
class SearchSettings:
    """How one search ranks, samples and spends; budgets cover the whole run (calls made
    before the search, for analysis and variants, are charged to it with `Spend.charge`)."""

    goal: str
    decision: DecisionSettings = field(default_factory=DecisionSettings)
    repeat: int = 1
    budget_calls: int | None = None
    budget_usd: float | None = None
    first_batch: int = 4  # dev cases every candidate gets before the first cut
    holdout_share: float = 0.5  # at most this share of the call budget goes to the confirmation
    seed: int = 0


@dataclass(frozen=True)
class DevScore:
    """A candidate against the base on the same dev samples."""

    samples: int
    pass_rate: float
    base_pass_rate: float
    tokens_ratio: float | None
    latency_ratio: float | None
    discordant: int = 0  # pairs where exactly one of the two passed
    focus_diff: float | None = None  # clarity/safety: the paired difference on cases tagged with the goal

    @property
    def pass_diff(self) -> float:
        return self.pass_rate - self.base_pass_rate

    @property
    def pass_diff_se(self) -> float:
        """Standard error of the paired difference (from the discordant pairs)."""
        return math.sqrt(max(self.discordant, 1)) / self.samples if self.samples else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "samples": self.samples,
            "pass_rate": self.pass_rate,
            "base_pass_rate": self.base_pass_rate,
            "pass_diff": self.pass_diff,
            "tokens_ratio": self.tokens_ratio,
            "latency_ratio": self.latency_ratio,
            "discordant": self.discordant,
            "focus_diff": self.focus_diff,
        }


@dataclass(frozen=True)
class Rung:
    """One cut of successive halving: who ran on how many dev cases, and their scores."""

    round: int
    cases: int
    scores: dict[str, DevScore]
    kept: tuple[str, ...]


@dataclass
class SearchOutcome:
    """What the search found. `winner` is None when nothing could be scored."""

    status: str  # "completed" | "budget-exhausted"
    rungs: list[Rung]
    winner: str | None
    verdict: Verdict | None
    holdout_cases: int
    calls: int
    cost_usd: float
    notes: list[str]

    @property
    def recommended(self) -> str | None:
        """The winner, if the holdout verdict says it improves on the base."""
        if self.verdict is not None and self.verdict.outcome == "improvement":
            return self.winner
        return None


class Spend:
    """Calls and dollars spent by the search, against its limits."""

    def __init__(self, settings: SearchSettings) -> None:
        self.max_calls = settings.budget_calls
        self.max_usd = settings.budget_usd
        self.calls = 0
        self.cost_usd = 0.0

    def record(self, batch: EvalBatch) -> None:
        self.charge(batch.calls, batch.cost_usd)

    def charge(self, calls: int, cost_usd: float) -> None:
        """Count calls made outside the evaluator (analysis, variant writing) against the budget."""
        self.calls += calls
        self.cost_usd += cost_usd

    def affords(self, calls: int, reserve_calls: int = 0) -> bool:
        """Whether `calls` more fit, keeping `reserve_calls` for later (the confirmation).

        Dollars are projected from the average cost of the calls made so far.
        """
        if self.max_calls is not None and self.calls + calls + reserve_calls > self.max_calls:
            return False
        if self.max_usd is not None and self.calls:
            per_call = self.cost_usd / self.calls
            return self.cost_usd + per_call * (calls + reserve_calls) <= self.max_usd
        return True


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
