"""`promptops dashboard`: every prompt's state at a glance, as the dashboard issue shows it."""

from __future__ import annotations

import json
import os

import click

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("dashboard")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the dashboard issue's body (markdown).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--token", default=None, help="GitHub token, to show open pull requests (default: $GITHUB_TOKEN)."
)
@click.option(
    "--repo",
    "repository",
    default=None,
    metavar="OWNER/NAME",
    help="GitHub repository (default: from origin).",
)
@click.option("--no-fetch", is_flag=True, help="Do not fetch origin's promptops notes first.")
@pass_workspace
def dashboard_command(
    ws: Workspace, as_markdown: bool, as_json: bool, token: str | None, repository: str | None, no_fetch: bool
) -> None:
    """Show every agent and prompt on the default branch: vN and version id, tokens, the
    last eval (pass rate with its 95% interval, date, cases, model, from the eval notes),
    the last deploy, a running rollout and its step, open promptops pull requests (goal,
    verdict, which one holds the prompt's lock) and suggestions ignored because their PR
    was closed unmerged; then the actions the dashboard issue offers as checkboxes, with
    the `/promptops` command each runs.

    Pull requests are read from GitHub only with a token; without one the output says
    there is no pull request data rather than showing none. The API URL is
    github.base_url, else $GITHUB_API_URL, else api.github.com.

    \b
    Examples:
      promptops dashboard
      promptops dashboard --markdown > dashboard.md
      GITHUB_TOKEN=... promptops dashboard --json --repo octo-org/agents
    """
    if as_markdown and as_json:
        raise click.UsageError("--markdown and --json are exclusive; pick one")
    from promptops.dashboard.local import local_dashboard
    from promptops.repo.history import complete_history

    deepened = complete_history(ws.config)
    if deepened:
        click.echo(f"promptops: note: {deepened}", err=True)
    dashboard = local_dashboard(
        ws.config,
        token=token or os.environ.get("GITHUB_TOKEN"),
        repository=repository,
        base_url=os.environ.get("GITHUB_API_URL"),
        fetch=not no_fetch,
    )
    if as_json:
        click.echo(json.dumps(dashboard.to_json(), indent=2))
    elif as_markdown:
        from promptops.dashboard.render import issue_body

        click.echo(issue_body(dashboard), nl=False)
    else:
        from promptops.cli.dashboard_view import print_dashboard

        print_dashboard(dashboard)
