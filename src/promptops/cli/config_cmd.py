"""`promptops config`: show the merged settings, so users can see what defaults apply."""

from __future__ import annotations

import json

import click
import yaml

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
@pass_workspace
def config_command(ws: Workspace, as_json: bool) -> None:
    """Print the settings in effect: .promptops.yaml merged over the defaults."""
    data = ws.config.data
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo(yaml.safe_dump(data, sort_keys=False).rstrip())
