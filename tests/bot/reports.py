"""One PR report to start from: a recommended conciseness variant on 40 cases x 3 repeats.

Tests of the report, its fitting and the GitHub layer change only what they are about.
"""

from __future__ import annotations

from promptops.bot.pr_report import ArmFigures, ReportData


def sample_report(**overrides: object) -> ReportData:
    values: dict[str, object] = dict(
        key="support-agent/system/conciseness",
        prompt_id="support-agent/system",
        goal="conciseness",
        verdict="Recommended: -23% tokens, pass rate unchanged",
        recommended=True,
        base=ArmFigures(0.85, (0.78, 0.90), 412, 1234, 0.0123),
        variant=ArmFigures(0.86, (0.79, 0.91), 318, 1100, 0.0101),
        p_value=0.62,
        cases=40,
        repeats=3,
        model="claude-sonnet-5-5",
    )
    values.update(overrides)
    return ReportData(**values)  # type: ignore[arg-type]
