"""What every eval report says, whatever its format: the figures' provenance, each case's
outcome and reasons, and the base-vs-head rows. The terminal (cli), JUnit and Markdown
writers share these so they never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptops.evals.results import CaseResult, EvalRun

if TYPE_CHECKING:
    from promptops.evals.compare import RunComparison

ECHO_NOTE = "provider echo: outputs are the rendered prompts, not a model's answers"


def measured_on(run: EvalRun, *, echo_note: bool = True) -> str:
    """What a run's figures were measured on: samples, cases, repeats, split, model, provider,
    and how many samples the response cache answered (a CI run restores it from earlier runs)."""
    s = run.summary
    cached = int(run.usage.get("cached_samples", 0))
    text = (
        f"{s.samples} samples ({s.cases} cases, repeat {run.repeat}, split {run.split}) "
        f"with {run.model} via {run.provider}, {cached} from the response cache"
    )
    return text + (f" ({ECHO_NOTE})" if echo_note and run.provider == "echo" else "")


def repeat_consistency(run: EvalRun) -> str | None:
    """`3 repeats per case: 4 of 40 cases flaky, pass^3 72.5% (every repeat passed)`; None at
    one repeat, where there is nothing to say."""
    s = run.summary
    if s.repeats < 2 or s.pass_all_repeats is None:
        return None
    return (
        f"{s.repeats} repeats per case: {s.flaky_cases} of {s.cases} cases flaky (passed some "
        f"repeats, failed others), pass^{s.repeats} {percent(s.pass_all_repeats)} (every repeat passed)"
    )


def failure_reasons(result: CaseResult) -> list[str]:
    if result.error and result.output is None:
        return [result.error]
    return [
        f"{a.type} ({a.origin}): {a.reason}"
        for a in result.assertions
        if a.passed is not True and a.weight > 0
    ]


def percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def case_rows(run: EvalRun) -> list[tuple[str, str, str, str]]:
    """(case, result, passed/samples, first reason) per case, in file order."""
    rows: dict[str, list[CaseResult]] = {}
    for r in run.results:
        rows.setdefault(r.case_id, []).append(r)
    out = []
    for case_id, results in rows.items():
        statuses = {r.status for r in results}
        status = "fail" if "fail" in statuses else "error" if "error" in statuses else "pass"
        reason = next(
            (failure_reasons(r)[0] for r in results if r.status != "pass" and failure_reasons(r)), ""
        )
        out.append((case_id, status, f"{sum(1 for r in results if r.passed)}/{len(results)}", reason))
    return out


def comparison_rows(cmp: RunComparison) -> list[tuple[str, str, str, str]]:
    """(figure, base, head, change) for the side-by-side summary."""

    def rel(figure: str) -> str:
        r = cmp.relative(figure)
        return "" if r is None else f" ({100 * r:+.1f}%)"

    return [
        (
            "pass rate",
            percent(cmp.base.pass_rate),
            percent(cmp.head.pass_rate),
            f"{100 * cmp.delta('pass_rate'):+.1f} pts",
        ),
        ("errors", str(cmp.base.errors), str(cmp.head.errors), f"{int(cmp.delta('errors')):+d}"),
        (
            "tokens / sample",
            f"{cmp.base.mean_tokens:.1f}",
            f"{cmp.head.mean_tokens:.1f}",
            f"{cmp.delta('mean_tokens'):+.1f}{rel('mean_tokens')}",
        ),
        (
            "input tokens / sample",
            f"{cmp.base.mean_input_tokens:.1f}",
            f"{cmp.head.mean_input_tokens:.1f}",
            f"{cmp.delta('mean_input_tokens'):+.1f}{rel('mean_input_tokens')}",
        ),
        (
            "latency mean",
            f"{cmp.base.latency_mean_ms:.0f} ms",
            f"{cmp.head.latency_mean_ms:.0f} ms",
            f"{cmp.delta('latency_mean_ms'):+.0f} ms{rel('latency_mean_ms')}",
        ),
        (
            "cost",
            f"${cmp.base.cost_usd:.4f}",
            f"${cmp.head.cost_usd:.4f}",
            f"{cmp.delta('cost_usd'):+.4f}{rel('cost_usd')}",
        ),
    ]
