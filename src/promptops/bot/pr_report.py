"""The promptops report: the one renderer for PR bodies, sticky comments, `--markdown` and
the Actions job summary. The verdict comes first; every number says what it was measured
on. Escaping, fencing and the size limit come from `promptops.markdown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from promptops.markdown import (
    COMMENT_LIMIT,
    Section,
    details,
    escape_block,
    escape_cell,
    escape_text,
    fit_to_limit,
    inline_code,
    report_marker,
    word_diff,
)


@dataclass(frozen=True)
class ArmFigures:
    """One prompt's measured figures (means over cases × repeats)."""

    pass_rate: float  # 0..1
    pass_interval: tuple[float, float] | None  # e.g. Wilson 95% interval
    tokens: float  # mean output tokens (or total per call, as the caller decides: say so in `tokens_label`)
    latency_ms: float
    cost_usd: float


@dataclass(frozen=True)
class CaseChange:
    """One case whose outcome differs between the prompts. Outcomes: "pass", "fail", "error"."""

    case_id: str
    base: str
    variant: str
    note: str = ""  # e.g. the failed assertion (may be LLM output: escaped when rendered)


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, as plain values the optimizer's results fill in."""

    key: str  # sticky-comment marker key, e.g. "support-agent/system/conciseness"
    prompt_id: str
    goal: str
    verdict: str  # one line, e.g. "Recommended: -23% tokens, pass rate unchanged"
    recommended: bool
    base: ArmFigures
    variant: ArmFigures
    p_value: float | None
    cases: int
    repeats: int
    model: str
    base_version: str = ""
    variant_version: str = ""
    hypothesis: str = ""  # LLM-written
    change_summary: str = ""  # LLM-written
    base_text: str = ""
    variant_text: str = ""
    case_changes: tuple[CaseChange, ...] = ()
    budget: str = ""  # e.g. "212 LLM calls, $1.84 of $5.00"
    tokens_label: str = "tokens (mean per case)"
    notes: tuple[str, ...] = field(default=())  # further lines (plain text, escaped)


def render_report(report: ReportData, limit: int = COMMENT_LIMIT) -> str:
    """The one report: verdict first, figures table, the why, the diff, per-case changes, budget."""
    return fit_to_limit(report_sections(report), limit)


def report_sections(report: ReportData) -> list[Section]:
    sections = [
        Section("header", f"{report_marker(report.key)}\n{_title(report)}\n\n{_verdict(report)}"),
        Section("figures", _figures_table(report)),
    ]
    why = _why(report)
    if why:
        sections.append(Section("hypothesis", why, droppable=True))
    if report.base_text or report.variant_text:
        body = word_diff(report.base_text, report.variant_text)
        sections.append(Section("diff", details("Word diff of the prompt", body, open=True), droppable=True))
    if report.case_changes:
        sections.append(_case_section(report.case_changes))
    tail = [
        f"Budget used: {escape_text(report.budget)}" if report.budget else "",
        *map(escape_text, report.notes),
    ]
    if any(tail):
        sections.append(Section("footer", "\n\n".join(t for t in tail if t)))
    return sections


def _title(report: ReportData) -> str:
    return f"## promptops: {inline_code(report.prompt_id)} · goal {inline_code(report.goal)}"


def _verdict(report: ReportData) -> str:
    icon = "✅" if report.recommended else "⚠️"
    return f"### {icon} {escape_text(report.verdict)}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _change(base: float, variant: float) -> str:
    return "n/a" if base == 0 else f"{100 * (variant - base) / base:+.1f}%"


def _figures_table(report: ReportData) -> str:
    b, v = report.base, report.variant

    def rate(a: ArmFigures) -> str:
        if a.pass_interval is None:
            return _pct(a.pass_rate)
        return f"{_pct(a.pass_rate)} ({_pct(a.pass_interval[0])}–{_pct(a.pass_interval[1])})"

    rows = [
        ("pass rate (95% interval)", rate(b), rate(v), f"{100 * (v.pass_rate - b.pass_rate):+.1f} pp"),
        (
            escape_cell(report.tokens_label),
            f"{b.tokens:,.0f}",
            f"{v.tokens:,.0f}",
            _change(b.tokens, v.tokens),
        ),
        (
            "latency (mean)",
            f"{b.latency_ms:,.0f} ms",
            f"{v.latency_ms:,.0f} ms",
            _change(b.latency_ms, v.latency_ms),
        ),
        ("cost (mean per case)", f"${b.cost_usd:.4f}", f"${v.cost_usd:.4f}", _change(b.cost_usd, v.cost_usd)),
    ]
    head = f"| | base{_version(report.base_version)} | variant{_version(report.variant_version)} | change |"
    lines = [head, "| --- | ---: | ---: | ---: |", *(f"| {' | '.join(r)} |" for r in rows)]
    p = "n/a" if report.p_value is None else f"{report.p_value:.3g}"
    lines.append(f"| p-value (paired) | | | {p} |")
    measured = (
        f"Measured on {report.cases} cases × {report.repeats} repeats with {inline_code(report.model)}."
    )
    return "\n".join(lines) + "\n\n" + measured


def _version(vid: str) -> str:
    return f" {inline_code(vid[:10])}" if vid else ""


def _why(report: ReportData) -> str:
    parts = []
    if report.hypothesis.strip():
        parts.append(f"**Hypothesis.** {escape_block(report.hypothesis.strip())}")
    if report.change_summary.strip():
        parts.append(f"**What changed.** {escape_block(report.change_summary.strip())}")
    return "\n\n".join(parts)


def _case_section(changes: Sequence[CaseChange]) -> Section:
    rows = tuple(
        "| " + " | ".join(map(escape_cell, (c.case_id, c.base, c.variant, c.note))) + " |" for c in changes
    )
    summary = f"Per-case changes ({len(changes)} cases changed outcome)"
    return Section(
        "per-case changes",
        text=details(summary, "| case | base | variant | note |\n| --- | --- | --- | --- |").removesuffix(
            "\n\n</details>"
        ),
        items=rows,
        end="\n\n</details>",
        item_noun="per-case changes",
    )
