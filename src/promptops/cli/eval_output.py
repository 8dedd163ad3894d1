"""What `promptops eval` prints and writes: the summary, the cases that need a look, exports, the exit status.

Plain text unless there is a table to draw: a cached run whose cases all pass prints a few
lines, and importing rich for them cost more than the lines (see `eval_tables` for the tables).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from promptops.cli.workspace import EXIT_INTERRUPTED
from promptops.errors import PromptopsError
from promptops.evals.command import EvalOutcome
from promptops.evals.report import ECHO_NOTE, case_rows, measured_on, repeat_consistency
from promptops.evals.results import EvalRun


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise (CI logs stay clean)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
    out = sys.stderr if to_stderr else sys.stdout
    if outcome.comparison is None:
        rows = case_rows(outcome.head)
        shown = rows if all_cases else [row for row in rows if row[1] != "pass"]
        if shown:
            from promptops.cli.eval_tables import print_case_table

            print_case_table(outcome.head, shown, out)
        if len(shown) < len(rows):
            hidden = len(rows) - len(shown)
            note = f"all {len(rows)} cases passed" if not shown else f"{hidden} passing cases not shown"
            click.echo(f"{outcome.head.agent}: {note} (--all-cases shows every row)", file=out)
    else:
        from promptops.cli.eval_tables import print_comparison

        print_comparison(outcome, out, all_cases=all_cases)
    click.echo("\n".join(outcome_lines(outcome)), file=out)


def outcome_lines(outcome: EvalOutcome) -> list[str]:
    """The lines under the table: summaries, shard and merge notes, usage, the saved files."""
    lines = [summary_text(run) for run in outcome.runs]
    if outcome.head.shard is not None:
        shard = outcome.head.shard
        lines.append(
            f"shard {shard['index']}/{shard['count']}: {len(shard['cases'])} cases of the suite, "
            "no verdict or gate here; merge the shards' run files with `promptops eval-merge`"
        )
    if outcome.head.merged_from:
        merged = outcome.head.merged_from
        lines.append(f"merged from {len(merged)} shards: {', '.join(merged)}")
    if outcome.head.provider == "echo":
        lines.append(f"note: {ECHO_NOTE}")
    lines.append(f"model calls (judge included): {outcome.usage.summary()}")
    lines.append("saved: " + ", ".join(str(p) for p in outcome.saved))
    return lines


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
    return text


def write_exports(
    outcome: EvalOutcome, json_path: str | None, junit_path: Path | None, markdown_path: Path | None
) -> None:
    """--json (`-` for stdout), --junit and --markdown files (every case); parent folders are created."""
    if json_path:  # compact, as the run file: read by programs (`python -m json.tool` indents it)
        text = json.dumps(export_data(outcome), separators=(",", ":"), ensure_ascii=False)
        if json_path == "-":
            click.echo(text)
        else:
            _write(Path(json_path), text + "\n")
    if junit_path:
        from promptops.evals.junit import junit_xml

        _write(junit_path, junit_xml(outcome.runs))
    if markdown_path:
        from promptops.evals.markdown_report import markdown_report

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
