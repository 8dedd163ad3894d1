"""`promptops init`: start using promptops in the current repository."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.workspace import Workspace, pass_workspace
from promptops.config import find_repo_root
from promptops.errors import ConfigError, PromptopsError
from promptops.repo.workflow import DEFAULT_USES


@click.command("init")
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite files that exist (with --github: only the workflow; config and agent are kept).",
)
@click.option(
    "--github",
    is_flag=True,
    help="Also write .github/workflows/promptops.yml, the GitHub Actions workflow that runs the bot.",
)
@click.option(
    "--uses",
    default=DEFAULT_USES,
    show_default=True,
    metavar="OWNER/REPO/.github/workflows/promptops.yml@REF",
    help="The reusable workflow the written workflow calls (pin a tag or commit).",
)
@pass_workspace
def init_command(ws: Workspace, force: bool, github: bool, uses: str) -> None:
    """Create .promptops.yaml and an example agent (prompts/support-agent/) with eval cases.

    Runs at the root of the git repository you are in (or the current folder outside
    git). Refuses to overwrite existing files unless --force. With --github, also writes
    the workflow (pull requests, /promptops comments, pushes, schedule), keeping an
    existing config and agent as they are. See docs/github-actions.md.

    \b
    Examples:
      promptops init
      promptops init --github --uses my-org/promptops/.github/workflows/promptops.yml@v0.1.0
    """
    # Imported here so other commands and --help do not pay for it.
    from promptops.repo.scaffold import init_repository

    try:
        root = find_repo_root(ws.start)
    except ConfigError:
        root = ws.start.resolve()
    result = init_repository(root, force=force, github=github, uses=uses, branch=_branch(root))
    for rel in result.written:
        click.echo(f"wrote {rel}")
    if github:
        click.echo("next: add the repository secret ANTHROPIC_API_KEY, then commit and push the workflow")
    else:
        click.echo("next: promptops list; promptops lint")


def _branch(root: Path) -> str:
    """The default branch the workflow deploys from (main when it cannot be told)."""
    from promptops.config import load_config
    from promptops.git.branches import resolve_default_branch

    try:
        return resolve_default_branch(root, load_config(root)).name
    except PromptopsError:
        return "main"
