"""`promptops import-promptfoo`: turn a promptfoo config into agents and their eval cases."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("import-promptfoo")
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--agent",
    "agent_id",
    required=True,
    help="Agent to fill (created from the config's prompts when missing).",
)
@click.option(
    "--prompt", "prompt", default=None, help="Import only this prompt (label, file name or 1-based number)."
)
@click.option("--force", is_flag=True, help="Replace existing cases, and an existing agent's prompt files.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@pass_workspace
def import_promptfoo_command(
    ws: Workspace, config_file: Path, agent_id: str, prompt: str | None, force: bool, as_json: bool
) -> None:
    """Convert CONFIG_FILE (a promptfooconfig.yaml) into AGENT's prompts and eval cases.

    prompts: become the agent's system prompt, user template and few-shot examples (one
    agent per prompt when there are several, unless --prompt picks one); tests: (inline,
    file:// YAML/JSON/JSONL/CSV, globs) and defaultTest become cases and defaults.
    Anything left out or changed is listed by its place. Nothing is written when
    CONFIG_FILE is invalid or the result would not load.

    \b
        promptops import-promptfoo promptfooconfig.yaml --agent support-agent
    """
    from promptops.evals.promptfoo import import_promptfoo  # loaded when the command runs

    report = import_promptfoo(ws.config, config_file, agent_id, prompt=prompt, force=force)
    if as_json:
        data = {**asdict(report), "unsupported": dict(report.unsupported)}  # asdict mangles a Counter
        click.echo(json.dumps(data, indent=2, default=str))
        return
    for agent in report.agents:
        verb = "created agent" if agent.created else "wrote"
        click.echo(
            f"{verb} {agent.id}: {agent.cases_path}: {report.cases} cases, {report.assertions} assertions"
        )
    for line in report.skipped:
        click.echo(f"not converted: {line}")
    for line in report.notes:
        click.echo(f"note: {line}")
    if report.hint:
        click.echo(f"next: {report.hint}")
