"""What `promptops eval` prints and writes: rich tables, the summary, exports, the exit status."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from promptops.cli.workspace import EXIT_INTERRUPTED
from promptops.errors import PromptopsError
from promptops.evals.command import EvalOutcome
from promptops.evals.junit import junit_xml
from promptops.evals.markdown_report import markdown_report
from promptops.evals.report import ECHO_NOTE, case_rows, comparison_rows, measured_on, repeat_consistency
from promptops.evals.results import EvalRun
from promptops.stats import Verdict

STATUS_STYLE = {"pass": "green", "fail": "red", "error": "yellow"}


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise (CI logs stay clean)."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("eval", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def print_outcome(outcome: EvalOutcome, *, to_stderr: bool = False, all_cases: bool = False) -> None:
    """The failing (or changed) cases, one summary per run, and where the runs were saved.

    Every case is in the run file, --junit and --markdown; the terminal gets only the rows
    that need a look unless --all-cases asks for all (a 2,000-row table took longer to
    draw than a cached run took to compute).
    """
    console = Console(file=sys.stderr if to_stderr else sys.stdout, soft_wrap=True, highlight=False)
    if outcome.comparison is None:
        table, shown, total = case_table(outcome.head, all_cases=all_cases)
        if shown:
            console.print(table)
        if shown < total:
            note = f"all {total} cases passed" if not shown else f"{total - shown} passing cases not shown"
            console.print(f"{escape(outcome.head.agent)}: {note} (--all-cases shows every row)")
    else:
        console.print(comparison_table(outcome, all_cases=all_cases))
        console.print(verdict_text(outcome.comparison.verdict))
    for run in outcome.runs:
        console.print(summary_text(run))
    if outcome.head.shard is not None:
        shard = outcome.head.shard
        console.print(
            f"shard {shard['index']}/{shard['count']}: {len(shard['cases'])} cases of the suite, "
            "no verdict or gate here; merge the shards' run files with `promptops eval-merge`"
        )
    if outcome.head.merged_from:
        console.print(
            f"merged from {len(outcome.head.merged_from)} shards: {', '.join(outcome.head.merged_from)}"
        )
    if outcome.head.provider == "echo":
        console.print(f"note: {ECHO_NOTE}")
    console.print(f"model calls (judge included): {outcome.usage.summary()}")
    console.print("saved: " + ", ".join(str(p) for p in outcome.saved))


def case_table(run: EvalRun, *, all_cases: bool = False) -> tuple[Table, int, int]:
    """The table of cases (only those not passing unless `all_cases`), rows shown, cases in all."""
    rows = case_rows(run)
    shown = rows if all_cases else [row for row in rows if row[1] != "pass"]
    table = Table(title=escape(f"{run.agent} ({run.ref or 'working tree'})"))
    for column in ("case", "result", "passed", "reason"):
        table.add_column(column, overflow="fold")
    for case_id, status, passed, reason in shown:
        table.add_row(escape(case_id), f"[{STATUS_STYLE[status]}]{status}[/]", passed, escape(reason))
    return table, len(shown), len(rows)


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


def summary_text(run: EvalRun) -> str:
    s = run.summary
    text = (
        f"{run.label}: pass rate {100 * s.pass_rate:.1f}% (95% CI {100 * s.pass_rate_low:.1f}-"
        f"{100 * s.pass_rate_high:.1f}%), {s.passed} passed, {s.failed} failed, {s.errors} errors "
        f"(error rate {100 * s.error_rate:.1f}%)\n"
        f"  latency mean {s.latency_mean_ms:.0f} ms, p50 {s.latency_p50_ms:.0f} ms, "
        f"p95 {s.latency_p95_ms:.0f} ms; "
        f"tokens {s.input_tokens} in / {s.output_tokens} out; cost ${s.cost_usd:.4f}\n"
        f"  {measured_on(run, echo_note=False)}"
    )
    if flakiness := repeat_consistency(run):
        text += f"\n  {flakiness}"
    return escape(text)


def write_exports(
    outcome: EvalOutcome, json_path: str | None, junit_path: Path | None, markdown_path: Path | None
) -> None:
    """--json (`-` for stdout), --junit and --markdown files; parent folders are created."""
    if json_path == "-":
        click.echo(json.dumps(export_data(outcome), indent=2, ensure_ascii=False))
    elif json_path:
        _write(Path(json_path), json.dumps(export_data(outcome), indent=2, ensure_ascii=False) + "\n")
    if junit_path:
        _write(junit_path, junit_xml(outcome.runs))
    if markdown_path:
        _write(markdown_path, markdown_report(outcome.head, outcome.base, outcome.comparison))


def export_data(outcome: EvalOutcome) -> dict[str, Any]:
    """The head run, or with --compare: {base, head, comparison} (a shard's: {base, head})."""
    if outcome.base is None:
        return outcome.head.to_dict()
    if outcome.comparison is None:  # a shard of --compare: both runs, the verdict comes with eval-merge
        return {"base": outcome.base.to_dict(), "head": outcome.head.to_dict()}
    comparison = {
        **asdict(outcome.comparison),
        "verdict": outcome.comparison.verdict.to_dict(),
        "newly_failing": outcome.comparison.newly_failing,
        "newly_passing": outcome.comparison.newly_passing,
    }
    return {"base": outcome.base.to_dict(), "head": outcome.head.to_dict(), "comparison": comparison}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def finish(outcome: EvalOutcome, min_pass_rate: float) -> None:
    head = outcome.head
    if head.merged_from and head.stopped:
        raise PromptopsError(
            f"a shard stopped early ({head.stopped}): the merged run has {head.summary.samples} of "
            f"{head.summary.planned} samples; re-run that shard, then merge again"
        )
    if head.stopped == "interrupted":
        click.echo(
            f"promptops: interrupted after {head.summary.samples} of {head.summary.planned} samples; "
            "re-run the same command to resume (finished calls are cached and free)",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    if head.stopped == "budget":
        raise PromptopsError(
            f"budget reached after {head.summary.samples} of {head.summary.planned} samples; "
            "the finished ones are saved and cached (raise --budget-calls/--budget-usd and re-run)"
        )
    if head.shard is not None:
        return  # part of a suite: the gate is eval-merge's, on every shard together
    if head.summary.pass_rate < min_pass_rate:
        raise PromptopsError(
            f"pass rate {100 * head.summary.pass_rate:.1f}% is below --min-pass-rate "
            f"{100 * min_pass_rate:.1f}% ({head.summary.failed} failed, {head.summary.errors} errors)"
        )
