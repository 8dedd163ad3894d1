"""`promptops history AGENT/NAME`: the versions of one prompt on the default branch."""

from __future__ import annotations

import json

import click

from promptops.cli import Workspace, main, pass_workspace
from promptops.cli.table import format_table
from promptops.repo.version import short_id


@main.command("history")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all-branches", is_flag=True, help="Also show commits on other local and remote branches.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show only the newest N versions.")
@pass_workspace
def history_command(
    ws: Workspace, prompt_id: str, as_json: bool, all_branches: bool, limit: int | None
) -> None:
    """Show the versions of a prompt, newest first.

    vN counts the first-parent commits of the default branch that changed the prompt's
    file (renames followed); VERSION is the version id (blob id) the file had after that
    commit. With --all-branches, commits not on the default branch show vN as '-'.

    Example: promptops history support-agent/system --limit 5
    """
    # Imported here so other commands and --help do not pay for it.
    from promptops.repo.history import prompt_history

    history = prompt_history(ws.config, prompt_id, all_branches=all_branches, limit=limit)
    if as_json:
        click.echo(json.dumps(history.to_json(), indent=2))
        return
    click.echo(f"{history.prompt_id} ({history.path}): {history.total} versions on {history.branch}")
    rows = [
        (
            f"v{v.number}" if v.number else "-",
            short_id(v.version_id) if v.version_id else "(deleted)",
            v.commit[:10],
            v.date[:10],
            v.author,
            v.subject,
            v.tokens,
        )
        for v in history.versions
    ]
    if rows:
        click.echo(format_table(("vN", "VERSION", "COMMIT", "DATE", "AUTHOR", "SUBJECT", "TOKENS"), rows))
