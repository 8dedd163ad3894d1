"""`promptops ci`: the GitHub Actions entry point (one command for every trigger)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("ci")
@pass_workspace
def ci_command(ws: Workspace) -> None:
    """Handle the GitHub Actions event of this workflow run.

    Reads GITHUB_EVENT_NAME and the payload at GITHUB_EVENT_PATH, then:

    \b
      pull_request       evaluate changed agents (head vs merge base); sticky comment
                         and the promptops/eval commit status
      issue_comment      run a /promptops command (write permission required)
      schedule,
      workflow_dispatch  optimize schedule.prompts and agents below schedule.min_pass_rate
      push               record deployed prompt versions as git notes; run deploy.command

    Uses GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL (or github.base_url) and appends
    to GITHUB_STEP_SUMMARY (and GITHUB_OUTPUT: the shard plan of a pull request). The
    reusable workflow's sharded evaluation sets PROMPTOPS_SHARD_PLAN, PROMPTOPS_SHARD or
    PROMPTOPS_SHARD_RUNS (docs/github-actions.md, "Sharded evaluation"). Events with
    nothing to do exit 0 with one line. See docs/github-actions.md.
    """
    from promptops.bot.ci import run_ci
    from promptops.bot.context import CiEnvironment, append_step_outputs, append_step_summary

    report = run_ci(ws.config, os.environ)
    for line in report.lines:
        click.echo(line)
    summary = CiEnvironment.from_env(os.environ).step_summary
    if summary is not None:
        append_step_summary(summary, report)
    if os.environ.get("GITHUB_OUTPUT"):
        append_step_outputs(Path(os.environ["GITHUB_OUTPUT"]), report)
    if report.error:
        click.echo(f"promptops: {report.error}", err=True)
    sys.exit(report.exit_code)
