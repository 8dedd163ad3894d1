"""`promptops list`: every agent and prompt with type, tokens, version id and vN."""

from __future__ import annotations

import json

import click

from promptops.cli.table import format_table
from promptops.cli.workspace import Workspace, pass_workspace
from promptops.version_ids import short_id


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@pass_workspace
def list_command(ws: Workspace, as_json: bool) -> None:
    """List every prompt of every agent in the working tree.

    VERSION is the version id (git blob id of the content, shortened); vN is its number on
    the default branch, or '-' when the file differs from the default branch (uncommitted
    or not merged yet).
    """
    # Imported here so other commands and --help do not pay for it.
    from promptops.repo.listing import list_prompts

    entries = list_prompts(ws.config)
    if as_json:
        click.echo(json.dumps([e.to_json() for e in entries], indent=2))
        return
    if not entries:
        click.echo(f"no agents under {ws.config.prompts_dir} (try `promptops init`)")
        return
    rows = [
        (e.id, e.type, e.tokens, short_id(e.version_id), f"v{e.number}" if e.number else "-") for e in entries
    ]
    click.echo(format_table(("PROMPT", "TYPE", "TOKENS", "VERSION", "vN"), rows))
