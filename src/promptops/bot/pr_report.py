"""The promptops report: the one renderer for PR bodies, sticky comments, `--markdown` and
the Actions job summary. The verdict comes first; every number says what it was measured
on. Escaping, fencing and the size limit come from `promptops.markdown`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from promptops.bot.alerts import alert, run_link
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
    full_report_url: str = ""  # where the untrimmed report is (the Actions run's job summary)
    outcome: str = ""  # improvement | regression | no-difference | inconclusive: picks the alert
    run_url: str = ""  # the workflow run that produced the report (Actions), linked at the end


def render_report(report: ReportData, limit: int = COMMENT_LIMIT) -> str:
    """The one report: verdict and figures, per-case regressions and improvements, the why, the
    diff, budget and notes. Over `limit`, what matters least is cut first (see `report_sections`)."""
    return fit_to_limit(report_sections(report), limit)


def report_sections(report: ReportData) -> list[Section]:
    """The sections in reading order; `rank` is the order of keeping: the verdict and figures
    always, then the per-case regressions, the improvements, the diff, and the rest."""
    more = _where_the_rest_is(report)
    regressions = [c for c in report.case_changes if _worse(c)]
    improvements = [c for c in report.case_changes if not _worse(c)]
    sections = [
        Section("header", f"{report_marker(report.key)}\n{_title(report)}\n\n{_verdict(report)}"),
        Section("figures", _figures_table(report)),
    ]
    if regressions:
        sections.append(_case_section("per-case regressions", regressions, rank=1, more=more, open=True))
    if improvements:
        sections.append(_case_section("per-case improvements", improvements, rank=2, more=more))
    why = _why(report)
    if why:
        sections.append(Section("hypothesis", why, rank=4, more=more))
    if report.base_text or report.variant_text:
        sections.append(_diff_section(report))
    tail = [
        f"Budget used: {escape_text(report.budget)}" if report.budget else "",
        *map(escape_text, report.notes),
        run_link(report.run_url),
    ]
    if any(tail):
        sections.append(Section("footer", "\n\n".join(t for t in tail if t), rank=4, more=more))
    return sections


def _where_the_rest_is(report: ReportData, what: str = "report") -> str:
    """The pointer a cut note ends with: the job summary of the run that has the whole report."""
    if report.full_report_url:
        return f"The full {what} is in the job summary of [the workflow run](<{report.full_report_url}>)."
    return ""


def _title(report: ReportData) -> str:
    return f"## promptops: {inline_code(report.prompt_id)} · goal {inline_code(report.goal)}"


def _verdict(report: ReportData) -> str:
    icon = "✅" if report.recommended else "⚠️"
    return alert(report.outcome, f"**{icon} {escape_text(report.verdict)}**")


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


_SHARE = re.compile(r"^(\d+)/(\d+) pass$")


def _worse(change: CaseChange) -> bool:
    """A regression: the variant passed a smaller share of the repeats than the base (at an
    equal share, an error is worse than a fail). An outcome it cannot read counts as worse."""
    base, variant = _outcome_score(change.base), _outcome_score(change.variant)
    return base is None or variant is None or variant < base


def _outcome_score(outcome: str) -> tuple[float, int] | None:
    """`pass`, `fail`, `error` or `2/3 pass` (repeats disagreed) as (share passed, not an error)."""
    fixed = {"pass": (1.0, 1), "fail": (0.0, 1), "error": (0.0, 0)}
    if outcome in fixed:
        return fixed[outcome]
    share = _SHARE.match(outcome)
    if share is None or int(share[2]) == 0:
        return None
    return int(share[1]) / int(share[2]), 1


def _case_section(
    key: str, changes: Sequence[CaseChange], *, rank: int, more: str, open: bool = False
) -> Section:
    rows = tuple(
        "| " + " | ".join(map(escape_cell, (c.case_id, c.base, c.variant, c.note))) + " |" for c in changes
    )
    summary = f"{key[0].upper()}{key[1:]} ({len(changes)} {'case' if len(changes) == 1 else 'cases'})"
    head = details(summary, "| case | base | variant | note |\n| --- | --- | --- | --- |", open=open)
    return Section(
        key,
        text=head.removesuffix("\n\n</details>"),
        items=rows,
        end="\n\n</details>",
        rank=rank,
        item_noun=key,
        more=more,
    )


def _diff_section(report: ReportData) -> Section:
    """The word diff, line by line, so an oversized one is cut at a line and says where the rest is."""
    lines = word_diff(report.base_text, report.variant_text).split("\n")
    head = details("Word diff of the prompt", "", open=True).removesuffix("\n\n</details>")
    return Section(
        "diff",
        text=head.removesuffix("\n"),
        items=tuple(lines),
        end="\n\n</details>",
        rank=3,
        item_noun="lines of the diff",
        more=_where_the_rest_is(report, "diff")
        or "The full diff is in the pull request's *Files changed* tab.",
    )
