"""The tables `promptops eval` draws with rich: the cases that need a look, base vs head, the verdict.

Imported only when there is a table to draw (see `eval_output`).
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from promptops.evals.command import EvalOutcome
from promptops.evals.report import comparison_rows
from promptops.evals.results import EvalRun
from promptops.stats import Verdict

STATUS_STYLE = {"pass": "green", "fail": "red", "error": "yellow"}


def _console(out: TextIO) -> Console:
    return Console(file=out, soft_wrap=True, highlight=False)


def print_case_table(run: EvalRun, rows: list[tuple[str, str, str, str]], out: TextIO) -> None:
    """`rows` (case, result, passed/samples, reason) as a table titled with the run's agent and ref."""
    table = Table(title=escape(f"{run.agent} ({run.ref or 'working tree'})"))
    for column in ("case", "result", "passed", "reason"):
        table.add_column(column, overflow="fold")
    for case_id, status, passed, reason in rows:
        table.add_row(escape(case_id), f"[{STATUS_STYLE[status]}]{status}[/]", passed, escape(reason))
    _console(out).print(table)


def print_comparison(outcome: EvalOutcome, out: TextIO, *, all_cases: bool = False) -> None:
    """The base-vs-head table, then the verdict."""
    console = _console(out)
    console.print(comparison_table(outcome, all_cases=all_cases))
    assert outcome.comparison is not None
    console.print(verdict_text(outcome.comparison.verdict))


def comparison_table(outcome: EvalOutcome, *, all_cases: bool = False) -> Table:
    """Cases whose status changed or that fail in head (every case with `all_cases`), then the figures."""
    cmp, base, head = outcome.comparison, outcome.base, outcome.head
    assert cmp is not None and base is not None
    table = Table(title=escape(f"{head.agent}: {base.ref} (base) vs {head.ref or 'working tree'} (head)"))
    for column in ("case", "base", "head", "change"):
        table.add_column(column)
    shown = [c for c in cmp.cases if all_cases or c.base != c.head or c.head != "pass"]
    for c in shown:
        change = {("pass", "fail"): "[red]newly failing[/]", ("fail", "pass"): "[green]newly passing[/]"}.get(
            (c.base, c.head), "" if c.base == c.head else f"{c.base} -> {c.head}"
        )
        table.add_row(
            escape(c.case_id),
            f"{c.base} {c.base_passed}/{c.samples}",
            f"{c.head} {c.head_passed}/{c.samples}",
            change,
        )
    if len(shown) < len(cmp.cases):
        table.add_row(f"({len(cmp.cases) - len(shown)} unchanged passing cases)", "", "", "")
    table.add_section()
    for label, b, h, d in comparison_rows(cmp):
        table.add_row(label, b, h, d)
    return table


def verdict_text(verdict: Verdict) -> str:
    """The decision first, then the reasons (interval, p-value, what it was measured on)."""
    style = {"improvement": "green", "regression": "red"}.get(verdict.outcome, "yellow")
    lines = [f"[bold {style}]verdict ({verdict.goal}): {escape(verdict.headline)}[/]"]
    lines += [f"  {escape(reason)}" for reason in verdict.reasons]
    return "\n".join(lines)
