"""`promptops import-promptfoo`: turn a promptfoo test suite into an agent's cases file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("import-promptfoo")
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agent", "agent_id", required=True, help="Agent whose cases file receives the tests.")
@click.option("--force", is_flag=True, help="Replace a cases file that already holds cases.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@pass_workspace
def import_promptfoo_command(
    ws: Workspace, config_file: Path, agent_id: str, force: bool, as_json: bool
) -> None:
    """Convert CONFIG_FILE (a promptfooconfig.yaml) into AGENT's eval cases.

    tests[] and defaultTest become cases and defaults; assertion types promptops shares
    with promptfoo keep their names. Anything that cannot be converted (javascript or
    python assertions, transforms, ...) is listed by its place in CONFIG_FILE. Nothing is
    written when CONFIG_FILE is invalid.

    \b
        promptops import-promptfoo promptfooconfig.yaml --agent support-agent
    """
    from promptops.evals.promptfoo import import_promptfoo  # loaded when the command runs

    report = import_promptfoo(ws.config, config_file, agent_id, force=force)
    if as_json:
        click.echo(json.dumps({**asdict(report), "path": str(report.path)}, indent=2))
        return
    click.echo(f"wrote {report.path}: {report.cases} cases, {report.assertions} assertions")
    for line in report.skipped:
        click.echo(f"not converted: {line}")
    for line in report.notes:
        click.echo(f"note: {line}")
    if report.hint:
        click.echo(f"next: {report.hint}")
