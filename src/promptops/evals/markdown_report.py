"""A Markdown summary of an eval (or a comparison) for PR comments and job summaries.

Model output never goes into it: outputs stay in the JSON run file, and every table cell
(case ids, reasons quoting the output) is escaped so it cannot break the table, inject
HTML or mention people.
"""

from __future__ import annotations

from promptops.evals.compare import RunComparison
from promptops.evals.report import (
    ECHO_NOTE,
    case_rows,
    comparison_rows,
    measured_on,
    percent,
    repeat_consistency,
)
from promptops.evals.results import EvalRun
from promptops.markdown import escape_cell


def md_cell(text: str, limit: int = 160) -> str:
    """Text safe inside a Markdown table cell, shortened to `limit` characters."""
    flat = " ".join(str(text).split())
    return escape_cell(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def summary_lines(run: EvalRun) -> list[str]:
    s = run.summary
    lines = [
        f"- pass rate **{percent(s.pass_rate)}** "
        f"(95% CI {percent(s.pass_rate_low)}–{percent(s.pass_rate_high)}): "
        f"{s.passed} passed, {s.failed} failed, {s.errors} errors of {s.samples}",
        f"- latency mean {s.latency_mean_ms:.0f} ms, p50 {s.latency_p50_ms:.0f} ms, "
        f"p95 {s.latency_p95_ms:.0f} ms",
        f"- tokens {s.input_tokens} in / {s.output_tokens} out, cost ${s.cost_usd:.4f}",
        f"- measured on {md_cell(measured_on(run), 400)}",
    ]
    if flakiness := repeat_consistency(run):
        lines.append(f"- {flakiness}")
    if run.stopped:
        lines.append(f"- **stopped early ({run.stopped})**: {s.samples} of {s.planned} samples finished")
    return lines


def markdown_report(
    head: EvalRun, base: EvalRun | None = None, comparison: RunComparison | None = None
) -> str:
    if comparison is not None and base is not None:
        return _markdown_comparison(base, head, comparison)
    lines = [
        f"## promptops eval: {md_cell(head.agent)}",
        "",
        *summary_lines(head),
        "",
        "| case | result | passed | reason |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {md_cell(c)} | {s} | {n} | {md_cell(r)} |" for c, s, n, r in case_rows(head)]
    return "\n".join(lines) + "\n"


def _markdown_comparison(base: EvalRun, head: EvalRun, cmp: RunComparison) -> str:
    lines = [
        f"## promptops eval: {md_cell(head.agent)}, {md_cell(base.ref or 'base')} vs "
        f"{md_cell(head.ref or 'working tree')}",
        "",
        f"Paired on {cmp.samples} samples with {md_cell(head.model)} via {md_cell(head.provider)}."
        + (f" ({ECHO_NOTE})" if head.provider == "echo" else ""),
        "",
        "| | base | head | change |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {label} | {b} | {h} | {d} |" for label, b, h, d in comparison_rows(cmp)]
    lines += ["", *_verdict_alert(cmp), ""]
    lines += [f"- {md_cell(reason, limit=400)}" for reason in cmp.verdict.reasons]
    lines += [
        "",
        f"Newly failing: {', '.join(map(md_cell, cmp.newly_failing)) or 'none'}",
        f"Newly passing: {', '.join(map(md_cell, cmp.newly_passing)) or 'none'}",
        "",
        *_folded_cases(cmp),
    ]
    return "\n".join(lines) + "\n"


_ALERTS = {"regression": "CAUTION", "improvement": "TIP"}  # anything else is a NOTE, never good news


def _verdict_alert(cmp: RunComparison) -> list[str]:
    """The verdict as a GitHub alert block: red for a regression, green for an improvement."""
    kind = _ALERTS.get(cmp.verdict.outcome, "NOTE")
    return [f"> [!{kind}]", f"> **Verdict ({cmp.verdict.goal}): {md_cell(cmp.verdict.headline)}**"]


def _folded_cases(cmp: RunComparison) -> list[str]:
    """Every case, folded, those that got worse first (what a reviewer must read before merging)."""
    worse = {"pass": 0, "fail": 1, "error": 1}
    ordered = sorted(cmp.cases, key=lambda c: worse.get(c.base, 1) - worse.get(c.head, 1))
    rows = [
        f"| {md_cell(c.case_id)} | {c.base} {c.base_passed}/{c.samples} "
        f"| {c.head} {c.head_passed}/{c.samples} |"
        for c in ordered
    ]
    summary = f"Per-case results ({len(cmp.cases)} cases, {len(cmp.newly_failing)} newly failing)"
    return [
        "<details>",
        f"<summary>{summary}</summary>",
        "",
        "| case | base | head |",
        "| --- | --- | --- |",
    ] + [
        *rows,
        "",
        "</details>",
    ]
