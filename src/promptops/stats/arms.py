"""`Arm`: one prompt's results on aligned samples, the input of `compare`.

An arm is columns rather than result objects so the statistics stay independent of the eval
engine; `paired_arms` builds two aligned arms from any result records that carry `case_id`,
`repeat_index`, `passed`, tokens, latency and cost (the eval engine's CaseResult).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Arm:
    """Per-sample results in the same (case, repeat) order as the arm it is compared with.

    `passed` is None for a sample that errored (excluded pairwise). tokens, latency_ms and
    cost_usd may be empty when not measured; then no ratio is computed for them. `case_ids`
    (optional) groups the repeats of a case, which the paired test and interval treat as one
    unit (`stats.clustered`), and lets reports say "40 cases x 3 repeats"; without them every
    sample counts as its own case.
    """

    passed: Sequence[bool | None]
    tokens: Sequence[float] = ()
    latency_ms: Sequence[float] = ()
    cost_usd: Sequence[float] = ()
    tags: Sequence[frozenset[str]] = ()
    case_ids: Sequence[str] = ()

    def __post_init__(self) -> None:
        n = len(self.passed)
        for name in ("tokens", "latency_ms", "cost_usd", "tags", "case_ids"):
            size = len(getattr(self, name))
            if size not in (0, n):
                raise ValueError(f"Arm.{name} has {size} values for {n} samples")


def pair_samples(base_results: Iterable[Any], candidate_results: Iterable[Any]) -> list[tuple[Any, Any]]:
    """Results of both arms paired on (case_id, repeat_index), in the base's order; samples
    only one side has are dropped. The one pairing rule for every paired comparison."""
    cand = {(r.case_id, r.repeat_index): r for r in candidate_results}
    return [(b, cand[key]) for b in base_results if (key := (b.case_id, b.repeat_index)) in cand]


def paired_arms(base_results: Iterable[Any], candidate_results: Iterable[Any]) -> tuple[Arm, Arm]:
    """Two arms aligned by `pair_samples`.

    tokens are input + output tokens: a shorter prompt shows up in input tokens, a terser
    answer in output tokens, and conciseness is about both.
    """
    return arms_from_pairs(pair_samples(base_results, candidate_results))


def arms_from_pairs(pairs: Sequence[tuple[Any, Any]]) -> tuple[Arm, Arm]:
    return _arm([b for b, _ in pairs]), _arm([c for _, c in pairs])


def _arm(results: list[Any]) -> Arm:
    return Arm(
        passed=[r.passed for r in results],
        tokens=[float((r.input_tokens or 0) + (r.output_tokens or 0)) for r in results],
        latency_ms=[float(r.latency_ms or 0.0) for r in results],
        cost_usd=[float(r.cost_usd or 0.0) for r in results],
        tags=[frozenset(r.tags or ()) for r in results],
        case_ids=[str(r.case_id) for r in results],
    )
