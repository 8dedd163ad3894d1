"""Eval results as files for other tools: JUnit XML for CI, Markdown for PRs and job summaries.

Every figure says what it was measured on (cases, repeats, model, provider), and model
output never goes into Markdown unescaped: table cells are escaped and outputs are left
out of the Markdown entirely (they are in the JSON run file).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from promptops.evals.compare import RunComparison
from promptops.evals.results import CaseResult, EvalRun

ECHO_NOTE = "provider echo: outputs are the rendered prompts, not a model's answers"


def measured_on(run: EvalRun, *, echo_note: bool = True) -> str:
    """What a run's figures were measured on: samples, cases, repeats, split, model, provider."""
    s = run.summary
    text = (
        f"{s.samples} samples ({s.cases} cases, repeat {run.repeat}, split {run.split}) "
        f"with {run.model} via {run.provider}"
    )
    return text + (f" ({ECHO_NOTE})" if echo_note and run.provider == "echo" else "")


def failure_reasons(result: CaseResult) -> list[str]:
    if result.error and result.output is None:
        return [result.error]
    return [
        f"{a.type} ({a.origin}): {a.reason}"
        for a in result.assertions
        if a.passed is not True and a.weight > 0
    ]


# ---------------------------------------------------------------- JUnit


def junit_xml(runs: Sequence[EvalRun]) -> str:
    """One <testsuite> per run, one <testcase> per sample; errors apart from failures."""
    root = ET.Element("testsuites", name="promptops eval")
    for run in runs:
        s = run.summary
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{run.agent} ({run.label})",
                "tests": str(s.samples),
                "failures": str(s.failed),
                "errors": str(s.errors),
                "skipped": str(s.planned - s.samples),
                "time": f"{sum(r.latency_ms for r in run.results) / 1000:.3f}",
                "timestamp": run.created_at,
            },
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("run_id", run.run_id),
            ("model", run.model),
            ("provider", run.provider),
            ("ref", run.ref or "working tree"),
            ("measured_on", measured_on(run)),
        ):
            ET.SubElement(props, "property", name=name, value=value)
        for result in run.results:
            _junit_case(suite, run, result)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_case(suite: ET.Element, run: EvalRun, result: CaseResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": f"{run.agent}.{run.label}",
            "name": f"{result.case_id}#{result.repeat_index}",
            "time": f"{result.latency_ms / 1000:.3f}",
        },
    )
    reasons = failure_reasons(result)
    if result.passed is None:
        ET.SubElement(case, "error", message=(result.error or "error")[:500]).text = "\n".join(reasons)
    elif not result.passed:
        ET.SubElement(
            case,
            "failure",
            message=reasons[0][:500] if reasons else "score below threshold",
            type="assertion",
        ).text = "\n".join(reasons)
    if result.output is not None:
        ET.SubElement(case, "system-out").text = _xml_safe(result.output)


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters; a model can emit them."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)


# ---------------------------------------------------------------- Markdown


def md_cell(text: str, limit: int = 160) -> str:
    """Text safe inside a Markdown table cell: one line, no HTML, no mentions, no pipes."""
    flat = " ".join(str(text).split())
    flat = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = flat.replace("|", "\\|").replace("`", "'").replace("@", "@\u200b")
    return flat


def _percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def summary_lines(run: EvalRun) -> list[str]:
    s = run.summary
    lines = [
        f"- pass rate **{_percent(s.pass_rate)}** "
        f"(95% CI {_percent(s.pass_rate_low)}–{_percent(s.pass_rate_high)}): "
        f"{s.passed} passed, {s.failed} failed, {s.errors} errors of {s.samples}",
        f"- latency mean {s.latency_mean_ms:.0f} ms, p50 {s.latency_p50_ms:.0f} ms, "
        f"p95 {s.latency_p95_ms:.0f} ms",
        f"- tokens {s.input_tokens} in / {s.output_tokens} out, cost ${s.cost_usd:.4f}",
        f"- measured on {md_cell(measured_on(run), 400)}",
    ]
    if run.stopped:
        lines.append(f"- **stopped early ({run.stopped})**: {s.samples} of {s.planned} samples finished")
    return lines


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
    lines += [
        "",
        f"Newly failing: {', '.join(map(md_cell, cmp.newly_failing)) or 'none'}",
        f"Newly passing: {', '.join(map(md_cell, cmp.newly_passing)) or 'none'}",
        "",
        "| case | base | head |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {md_cell(c.case_id)} | {c.base} {c.base_passed}/{c.samples} "
        f"| {c.head} {c.head_passed}/{c.samples} |"
        for c in cmp.cases
    ]
    return "\n".join(lines) + "\n"


def comparison_rows(cmp: RunComparison) -> list[tuple[str, str, str, str]]:
    """(figure, base, head, change) for the side-by-side summary."""

    def rel(figure: str) -> str:
        r = cmp.relative(figure)
        return "" if r is None else f" ({100 * r:+.1f}%)"

    return [
        (
            "pass rate",
            _percent(cmp.base.pass_rate),
            _percent(cmp.head.pass_rate),
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
