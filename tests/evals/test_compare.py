"""compare_runs / align_runs: pairing by (case, repeat), per-case changes, raw deltas."""

from __future__ import annotations

from promptops.evals.compare import align_runs, compare_runs
from promptops.evals.results import CaseResult, EvalRun, summarize_results


def result(case_id: str, repeat: int, passed: bool | None, tokens: int, latency: float) -> CaseResult:
    return CaseResult(
        case_id,
        repeat,
        "dev",
        ("t",),
        None if passed is None else "out",
        passed,
        None,
        (),
        latency_ms=latency,
        input_tokens=tokens,
        output_tokens=10,
        cost_usd=tokens / 1e6,
    )


def run(label: str, results: list[CaseResult]) -> EvalRun:
    return EvalRun(
        f"id-{label}",
        "a",
        label,
        "2026-01-01T00:00:00+00:00",
        None,
        {},
        {},
        "m",
        {},
        "scripted",
        "cases.yaml",
        "all",
        2,
        results,
        summarize_results(results, len(results)),
    )


BASE = run(
    "base",
    [
        result("a", 0, True, 100, 10),
        result("a", 1, True, 100, 30),
        result("b", 0, False, 100, 20),
        result("c", 0, True, 100, 20),
        result("d", 0, True, 100, 20),
    ],
)
HEAD = run(
    "head",
    [
        result("a", 0, False, 50, 10),
        result("a", 1, True, 50, 10),
        result("b", 0, True, 50, 10),
        result("c", 0, None, 0, 0),
        result("e", 0, True, 50, 10),
    ],
)


def test_align_pairs_only_samples_both_runs_have() -> None:
    aligned = align_runs(BASE, HEAD)
    assert aligned.keys == [("a", 0), ("a", 1), ("b", 0), ("c", 0)]
    assert aligned.base.passed == [True, True, False, True] and aligned.head.passed == [
        False,
        True,
        True,
        None,
    ]
    assert aligned.head.tokens == [60.0, 60.0, 60.0, 10.0] and aligned.base.tags[0] == frozenset({"t"})


def test_per_case_changes_and_deltas() -> None:
    cmp = compare_runs(BASE, HEAD)
    assert cmp.samples == 4
    assert [(c.case_id, c.base, c.head) for c in cmp.cases] == [
        ("a", "pass", "fail"),
        ("b", "fail", "pass"),
        ("c", "pass", "error"),
    ]
    assert cmp.newly_failing == ["a"] and cmp.newly_passing == ["b"]
    assert (cmp.base.pass_rate, cmp.head.pass_rate, cmp.head.errors) == (0.75, 0.5, 1)
    assert cmp.delta("pass_rate") == -0.25
    assert cmp.relative("mean_tokens") == (47.5 - 110) / 110
    assert cmp.delta("latency_mean_ms") == 10 - 20  # latency over answered samples only
