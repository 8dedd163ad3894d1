"""`promptops init`: start using promptops in the current repository."""

from __future__ import annotations

import click

from promptops.cli import Workspace, main, pass_workspace
from promptops.config import find_repo_root
from promptops.errors import ConfigError


@main.command("init")
@click.option("--force", is_flag=True, help="Overwrite .promptops.yaml and the example agent if they exist.")
@pass_workspace
def init_command(ws: Workspace, force: bool) -> None:
    """Create .promptops.yaml and an example agent (prompts/support-agent/) with eval cases.

    Runs at the root of the git repository you are in (or the current folder outside
    git). Refuses to overwrite existing files unless --force.
    """
    # Imported here so other commands and --help do not pay for it.
    from promptops.repo.scaffold import init_repository

    try:
        root = find_repo_root(ws.start)
    except ConfigError:
        root = ws.start.resolve()
    result = init_repository(root, force=force)
    for rel in result.written:
        click.echo(f"wrote {rel}")
    click.echo("next: promptops list; promptops lint")
