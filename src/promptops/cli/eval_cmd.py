"""`promptops eval`: run an agent's test cases, optionally against a base ref; print and export."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from promptops.cli import EXIT_INTERRUPTED, Workspace, main, pass_workspace
from promptops.cli.options import budget_from_options, budget_options, no_cache_option, saving_raw_replies
from promptops.errors import InputError, PromptopsError
from promptops.evals.command import SPLIT_CHOICES, EvalOptions, EvalOutcome, run_eval_command
from promptops.evals.report import (
    ECHO_NOTE,
    case_rows,
    comparison_rows,
    junit_xml,
    markdown_report,
    measured_on,
)
from promptops.evals.results import EvalRun

STATUS_STYLE = {"pass": "green", "fail": "red", "error": "yellow"}


def parse_prompt_option(values: tuple[str, ...]) -> list[tuple[str, Path]]:
    pairs = []
    for value in values:
        name, sep, file = value.partition("=")
        if not sep or not name or not file:
            raise InputError(f"--prompt expects NAME=FILE (e.g. system=drafts/system.md), got {value!r}")
        pairs.append((name, Path(file)))
    return pairs


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


@main.command("eval")
@click.argument("agent")
@click.option(
    "--prompt",
    "prompts",
    multiple=True,
    metavar="NAME=FILE",
    help="Evaluate FILE's text as prompt NAME (system, user_template, tool:NAME, ...). Repeatable.",
)
@click.option("--ref", default=None, help="Evaluate the prompts as committed at this git ref.")
@click.option(
    "--compare",
    "base_ref",
    default=None,
    metavar="BASE_REF",
    help="Also evaluate the prompts at BASE_REF on the same cases and samples; show both.",
)
@click.option(
    "--repeat",
    type=click.IntRange(min=1, max=100),
    default=None,
    help="Samples per case, at least (default: evals.repeat; a case's own repeat can raise it).",
)
@click.option(
    "--split",
    type=click.Choice(SPLIT_CHOICES),
    default="all",
    show_default=True,
    help="Run only dev or holdout cases.",
)
@click.option(
    "--filter", "filter_text", default=None, help="Run only cases whose id contains TEXT or tagged TEXT."
)
@click.option(
    "--min-pass-rate",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Exit 1 when the pass rate is below this (1.0: every sample must pass).",
)
@click.option(
    "--json", "json_path", default=None, metavar="PATH", help="Write the run(s) as JSON ('-': stdout)."
)
@click.option(
    "--junit",
    "junit_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write JUnit XML for CI test reports.",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a Markdown summary (for PR comments or $GITHUB_STEP_SUMMARY).",
)
@click.option(
    "--provider",
    type=click.Choice(["echo", "anthropic", "openai"]),
    default=None,
    help="Override provider.name (echo: a free dry run that returns the rendered prompt).",
)
@click.option(
    "--model", default=None, help="Model for every case (default: agent.yaml model, else provider.model)."
)
@no_cache_option
@budget_options
@pass_workspace
def eval_command(
    ws: Workspace,
    agent: str,
    prompts: tuple[str, ...],
    ref: str | None,
    base_ref: str | None,
    repeat: int | None,
    split: str,
    filter_text: str | None,
    min_pass_rate: float,
    json_path: str | None,
    junit_path: Path | None,
    markdown_path: Path | None,
    provider: str | None,
    model: str | None,
    no_cache: bool,
    budget_calls: int | None,
    budget_usd: float | None,
) -> None:
    """Run AGENT's test cases and print a table of cases and a summary.

    Each case is rendered as the agent runs (system prompt, tools, few-shot examples,
    prior turns, the user template filled with the case's vars), sent through the
    response cache, and checked by its assertions. Results are saved in
    .promptops/runs/<run-id>.json. Exit 1 when the pass rate is below --min-pass-rate.

    \b
        promptops eval support-agent
        promptops eval support-agent --repeat 3 --split dev --junit report.xml
        promptops eval support-agent --compare origin/main --markdown summary.md
        promptops eval support-agent --prompt system=drafts/system.md --provider echo

    Ctrl-C keeps the finished samples; re-run the same command to resume (cached calls are free).
    """
    options = EvalOptions(
        agent_id=agent,
        prompt_files=parse_prompt_option(prompts),
        ref=ref,
        compare=base_ref,
        repeat=repeat,
        split=split,
        filter_text=filter_text,
        no_cache=no_cache,
        provider=provider,
        model=model,
        budget=budget_from_options(budget_calls, budget_usd),
    )
    with saving_raw_replies(ws), progress_bar(sys.stderr.isatty()) as progress:
        outcome = run_eval_command(ws.config, options, progress)
    console = Console(file=sys.stderr if json_path == "-" else sys.stdout, soft_wrap=True)
    print_outcome(console, outcome)
    write_exports(outcome, json_path, junit_path, markdown_path)
    finish(outcome, min_pass_rate)


def print_outcome(console: Console, outcome: EvalOutcome) -> None:
    if outcome.comparison is None:
        console.print(case_table(outcome.head))
    else:
        console.print(comparison_table(outcome))
    for run in outcome.runs:
        console.print(summary_text(run))
    if outcome.head.provider == "echo":
        console.print(f"note: {ECHO_NOTE}")
    console.print("saved: " + ", ".join(str(p) for p in outcome.saved))


def case_table(run: EvalRun) -> Table:
    table = Table(title=f"{run.agent} ({run.ref or 'working tree'})")
    for column in ("case", "result", "passed", "reason"):
        table.add_column(column, overflow="fold")
    for case_id, status, passed, reason in case_rows(run):
        table.add_row(case_id, f"[{STATUS_STYLE[status]}]{status}[/]", passed, reason, style=None)
    return table


def comparison_table(outcome: EvalOutcome) -> Table:
    cmp, base, head = outcome.comparison, outcome.base, outcome.head
    assert cmp is not None and base is not None
    table = Table(title=f"{head.agent}: {base.ref} (base) vs {head.ref or 'working tree'} (head)")
    for column in ("case", "base", "head", "change"):
        table.add_column(column)
    for c in cmp.cases:
        change = {("pass", "fail"): "[red]newly failing[/]", ("fail", "pass"): "[green]newly passing[/]"}.get(
            (c.base, c.head), "" if c.base == c.head else f"{c.base} -> {c.head}"
        )
        table.add_row(
            c.case_id,
            f"{c.base} {c.base_passed}/{c.samples}",
            f"{c.head} {c.head_passed}/{c.samples}",
            change,
        )
    table.add_section()
    for label, b, h, d in comparison_rows(cmp):
        table.add_row(label, b, h, d)
    return table


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
    return text.replace("[", "\\[")


def write_exports(
    outcome: EvalOutcome, json_path: str | None, junit_path: Path | None, markdown_path: Path | None
) -> None:
    if json_path:
        data = (
            outcome.head.to_dict()
            if outcome.base is None
            else {
                "base": outcome.base.to_dict(),
                "head": outcome.head.to_dict(),
                "comparison": {
                    **asdict(outcome.comparison),
                    "newly_failing": outcome.comparison.newly_failing,
                    "newly_passing": outcome.comparison.newly_passing,
                },
            }
        )
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if json_path == "-":
            click.echo(text, nl=False)
        else:
            Path(json_path).write_text(text, encoding="utf-8")
    if junit_path:
        junit_path.write_text(junit_xml(outcome.runs), encoding="utf-8")
    if markdown_path:
        markdown_path.write_text(
            markdown_report(outcome.head, outcome.base, outcome.comparison), encoding="utf-8"
        )


def finish(outcome: EvalOutcome, min_pass_rate: float) -> None:
    head = outcome.head
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
    if head.summary.pass_rate < min_pass_rate:
        raise PromptopsError(
            f"pass rate {100 * head.summary.pass_rate:.1f}% is below --min-pass-rate "
            f"{100 * min_pass_rate:.1f}% ({head.summary.failed} failed, {head.summary.errors} errors)"
        )
