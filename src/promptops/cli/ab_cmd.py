"""`promptops ab`: compare two deployed versions of a prompt from production logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from promptops.cli.log_options import decision_alpha, log_options, resolve_inputs
from promptops.cli.workspace import Workspace, pass_workspace

if TYPE_CHECKING:
    from promptops.logs.ab import ABReport


@click.command("ab")
@click.argument("prompt_id", metavar="AGENT/NAME")
@log_options
@click.option(
    "--baseline", required=True, metavar="VERSION", help="Version id (or unique prefix) in production now."
)
@click.option(
    "--candidate", required=True, metavar="VERSION", help="Version id (or unique prefix) under test."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_workspace
def ab_command(
    ws: Workspace,
    prompt_id: str,
    logs: tuple[Path, ...],
    more_logs: tuple[Path, ...],
    since: str | None,
    strict: bool,
    baseline: str,
    candidate: str,
    as_json: bool,
) -> None:
    """Sequential A/B of two versions of AGENT/NAME from execution logs.

    Reads JSONL execution logs (plain or gzip, several files, streamed), computes per-version
    success rate (Wilson 95% CI), latency mean/p50/p95 and tokens, and runs an always-valid
    sequential test, so re-running it as logs grow does not inflate false positives.
    Versions are git blob ids as written by promptops.runtime; a unique prefix is enough.

    \b
    Example:
      promptops ab support-agent/system --logs logs/*.jsonl.gz \\
          --baseline 3b18e51 --candidate 9f2c04a --since 7d
    """
    from promptops.logs.ab import run_ab

    paths, since_at, prompt_id = resolve_inputs(ws, logs, more_logs, since, prompt_id)
    report = run_ab(
        paths, prompt_id, baseline, candidate, since=since_at, strict=strict, alpha=decision_alpha(ws)
    )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        _print(report)


def _print(report: ABReport) -> None:
    from promptops.stats.wording import percent

    click.echo(f"{report.prompt_id}: {report.outcome}")
    rows = [("version", "calls", "success", "95% CI", "latency p50", "p95", "tokens in", "out")]
    for label, m in (("baseline", report.baseline), ("candidate", report.candidate)):
        rows.append(
            (
                f"{label} {m.version_id[:10]}",
                f"{m.n:,}",
                percent(m.success.rate),
                f"{percent(m.success.low)}-{percent(m.success.high)}",
                f"{m.latency_p50_ms:,.0f} ms",
                f"{m.latency_p95_ms:,.0f} ms",
                f"{m.input_tokens_mean:,.0f}",
                f"{m.output_tokens_mean:,.0f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for reason in report.reasons:
        click.echo(f"- {reason}")
