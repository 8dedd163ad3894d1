"""Base vs head: two runs on the same cases and samples, lined up sample by sample.

Pairing is `promptops.stats.pair_samples`, the same rule the optimizer uses. `align_runs`
gives the paired per-(case, repeat) lists; `compare_runs` adds what a reviewer reads first
(which cases newly fail or newly pass, raw deltas) and the verdict of `promptops.stats.compare`,
so the eval command and PR reports state the same decision the optimizer would.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from promptops.evals.results import CaseResult, EvalRun
from promptops.evals.summary import percentile
from promptops.stats import DecisionSettings, Verdict, arms_from_pairs, compare, pair_samples


@dataclass(frozen=True)
class ArmSamples:
    """One run's aligned samples; field names match promptops.stats.Arm (plus token split)."""

    passed: list[bool | None]
    tokens: list[float]  # input + output tokens of the sample
    latency_ms: list[float]
    cost_usd: list[float]
    tags: list[frozenset[str]]
    input_tokens: list[float]
    output_tokens: list[float]
    answered: list[bool]  # the model call succeeded (latency and tokens are real measurements)


@dataclass(frozen=True)
class AlignedSamples:
    keys: list[tuple[str, int]]  # (case id, repeat index), in the base run's order
    base: ArmSamples
    head: ArmSamples


def _arm(results: list[CaseResult]) -> ArmSamples:
    return ArmSamples(
        passed=[r.passed for r in results],
        tokens=[float(r.input_tokens + r.output_tokens) for r in results],
        latency_ms=[r.latency_ms for r in results],
        cost_usd=[r.cost_usd for r in results],
        tags=[frozenset(r.tags) for r in results],
        input_tokens=[float(r.input_tokens) for r in results],
        output_tokens=[float(r.output_tokens) for r in results],
        answered=[r.output is not None for r in results],
    )


def align_runs(base: EvalRun, head: EvalRun) -> AlignedSamples:
    """Samples present in both runs, paired by (case id, repeat index)."""
    return _aligned(pair_samples(base.results, head.results))


def _aligned(pairs: list[tuple[CaseResult, CaseResult]]) -> AlignedSamples:
    return AlignedSamples(
        keys=[(b.case_id, b.repeat_index) for b, _ in pairs],
        base=_arm([b for b, _ in pairs]),
        head=_arm([h for _, h in pairs]),
    )


@dataclass(frozen=True)
class CaseChange:
    case_id: str
    base: str  # "pass" (every sample passed), "fail" (any failed), "error" (errors, no fail)
    head: str
    base_passed: int
    head_passed: int
    samples: int


@dataclass(frozen=True)
class ArmFigures:
    """Figures of one side computed on the aligned samples only, so both sides are comparable."""

    pass_rate: float
    errors: int
    mean_tokens: float
    mean_input_tokens: float
    mean_output_tokens: float
    latency_mean_ms: float
    latency_p95_ms: float
    cost_usd: float


@dataclass(frozen=True)
class RunComparison:
    base_run_id: str
    head_run_id: str
    samples: int
    cases: list[CaseChange]
    base: ArmFigures
    head: ArmFigures
    verdict: Verdict

    @property
    def newly_failing(self) -> list[str]:
        return [c.case_id for c in self.cases if c.base == "pass" and c.head == "fail"]

    @property
    def newly_passing(self) -> list[str]:
        return [c.case_id for c in self.cases if c.base == "fail" and c.head == "pass"]

    @property
    def changed(self) -> list[CaseChange]:
        return [c for c in self.cases if c.base != c.head]

    def delta(self, figure: str) -> float:
        """head - base for one ArmFigures field."""
        return float(getattr(self.head, figure)) - float(getattr(self.base, figure))

    def relative(self, figure: str) -> float | None:
        """(head - base) / base for one figure; None when base is 0."""
        base = float(getattr(self.base, figure))
        return None if base == 0 else self.delta(figure) / base


def case_status(passed: list[bool | None]) -> str:
    if any(p is False for p in passed):
        return "fail"
    return "error" if any(p is None for p in passed) else "pass"


def _figures(arm: ArmSamples) -> ArmFigures:
    n = len(arm.passed)
    latencies = [ms for ms, ok in zip(arm.latency_ms, arm.answered, strict=True) if ok]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return ArmFigures(
        pass_rate=sum(1 for p in arm.passed if p) / n if n else 0.0,
        errors=sum(1 for p in arm.passed if p is None),
        mean_tokens=mean(arm.tokens),
        mean_input_tokens=mean(arm.input_tokens),
        mean_output_tokens=mean(arm.output_tokens),
        latency_mean_ms=mean(latencies),
        latency_p95_ms=percentile(latencies, 95),
        cost_usd=sum(arm.cost_usd),
    )


def compare_runs(
    base: EvalRun, head: EvalRun, *, goal: str = "accuracy", settings: DecisionSettings | None = None
) -> RunComparison:
    """Per-case changes, raw deltas and the statistical verdict for two runs on the same samples."""
    pairs = pair_samples(base.results, head.results)
    aligned = _aligned(pairs)
    by_case: dict[str, tuple[list[bool | None], list[bool | None]]] = defaultdict(lambda: ([], []))
    for (case_id, _), b, h in zip(aligned.keys, aligned.base.passed, aligned.head.passed, strict=True):
        by_case[case_id][0].append(b)
        by_case[case_id][1].append(h)
    cases = [
        CaseChange(
            case_id, case_status(b), case_status(h), sum(1 for p in b if p), sum(1 for p in h if p), len(b)
        )
        for case_id, (b, h) in by_case.items()
    ]
    verdict = compare(*arms_from_pairs(pairs), goal, settings or DecisionSettings())
    return RunComparison(
        base.run_id,
        head.run_id,
        len(aligned.keys),
        cases,
        _figures(aligned.base),
        _figures(aligned.head),
        verdict,
    )
