"""`promptops failures`: the most frequent recent failures of a prompt, from execution logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from promptops.cli.log_options import log_options, resolve_inputs
from promptops.cli.workspace import Workspace, pass_workspace

if TYPE_CHECKING:
    from promptops.logs.failures import FailureReport


@click.command("failures")
@click.argument("prompt_id", metavar="AGENT/NAME")
@log_options
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many groups to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_workspace
def failures_command(
    ws: Workspace,
    prompt_id: str,
    logs: tuple[Path, ...],
    more_logs: tuple[Path, ...],
    since: str | None,
    strict: bool,
    top: int,
    as_json: bool,
) -> None:
    """Group AGENT/NAME's failed calls by error type and message shape.

    Numbers, ids, times and quoted values in messages are replaced by placeholders, so one
    underlying problem is one group, with its count, when it was last seen, and an example.

    \b
    Example:
      promptops failures support-agent/system --logs logs/*.jsonl --since 24h --top 5
    """
    from promptops.logs.failures import summarize_failures

    paths, since_at, prompt_id = resolve_inputs(ws, logs, more_logs, since, prompt_id)
    report = summarize_failures(paths, prompt_id, since=since_at, strict=strict, top=top)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        _print(report)


def _print(report: FailureReport) -> None:
    rate = f" ({report.failures / report.calls:.1%})" if report.calls else ""
    click.echo(f"{report.prompt_id}: {report.failures:,} failed of {report.calls:,} calls{rate}")
    for group in report.groups:
        click.echo(f"{group.count:>7,}  {group.error_type}: {group.pattern}")
        click.echo(f"         last seen {group.last_seen}; e.g. {group.example!r}")
    if report.other_groups:
        click.echo(f"  ... and {report.other_groups} more group(s) (raise --top to see them)")
    note = report.read.bad_line_note()
    if note:
        click.echo(f"- {note}")
