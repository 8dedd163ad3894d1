"""Candidates of known quality, for measuring the search itself.

Whether a search picks the best candidate, or recommends one that is worse than the base,
can only be counted when the truth is known. `SimulatedEvaluator` gives each prompt text
a hidden true pass rate and samples pass/fail per case from it, with a per-case
difficulty shared by all prompts (hard cases are hard for every prompt, which is what
makes paired comparisons worth having). The benchmark and the tests run the real search
code against it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from promptops.llm.errors import BudgetExceeded
from promptops.optimize.search_records import EvalBatch


@dataclass(frozen=True)
class SampleResult:
    """One (prompt, case, repeat) result, shaped like the eval engine's CaseResult."""

    case_id: str
    repeat_index: int
    passed: bool | None
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    tags: frozenset[str] = frozenset()
    error: str | None = None


@dataclass
class SimulatedEvaluator:
    """Samples pass/fail with each text's hidden quality; counts every call it serves.

    `quality[text]` is the text's pass rate on a case of average difficulty; a case's
    difficulty shifts every prompt's log-odds on it by the same amount. `tokens[text]`
    (optional) is the input tokens a call with that text costs.
    """

    quality: Mapping[str, float]
    difficulty: Mapping[str, float]
    seed: int = 0
    tokens: Mapping[str, int] = field(default_factory=dict)
    calls_per_sample: int = 1
    max_calls: int | None = None  # raise BudgetExceeded past this, like LLMClient's budget
    calls: int = 0
    requests: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    async def evaluate(
        self, prompt_texts: Mapping[str, str], case_ids: Sequence[str], repeat: int
    ) -> EvalBatch:
        needed = len(prompt_texts) * len(case_ids) * repeat * self.calls_per_sample
        if self.max_calls is not None and self.calls + needed > self.max_calls:
            raise BudgetExceeded(f"the call budget of {self.max_calls} calls is spent")
        self.requests.append((tuple(prompt_texts), tuple(case_ids)))
        self.calls += needed
        results = {
            label: [self._sample(text, case, r) for case in case_ids for r in range(repeat)]
            for label, text in prompt_texts.items()
        }
        return EvalBatch(results=results, calls=needed, cost_usd=0.0)

    def _sample(self, text: str, case_id: str, repeat_index: int) -> SampleResult:
        p = pass_probability(self.quality[text], self.difficulty[case_id])
        tokens = self.tokens.get(text, 100)
        return SampleResult(
            case_id, repeat_index, self._rng.random() < p, input_tokens=tokens, output_tokens=50
        )


def pass_probability(quality: float, difficulty: float) -> float:
    """A prompt of `quality` on a case whose difficulty shifts the log-odds by `difficulty`."""
    quality = min(max(quality, 1e-6), 1 - 1e-6)
    logit = math.log(quality / (1 - quality)) - difficulty
    return 1 / (1 + math.exp(-logit))


def case_difficulties(n: int, spread: float, seed: int) -> dict[str, float]:
    """`n` case ids with normally distributed difficulty (standard deviation `spread`)."""
    rng = random.Random(seed)
    return {f"case-{i:03d}": rng.gauss(0.0, spread) for i in range(n)}
