"""`promptops pr AGENT/NAME --session ID`: publish a finished optimization session as a PR."""

from __future__ import annotations

import json

import click

from promptops.cli.publish_output import print_publish_outcome
from promptops.cli.workspace import Workspace, pass_workspace


@click.command("pr")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.option(
    "--session",
    "session_id",
    required=True,
    metavar="ID",
    help="Session id (or unique prefix) in .promptops/sessions/, or the session file's path.",
)
@click.option("--token", default=None, help="GitHub token (default: $GITHUB_TOKEN).")
@click.option("--branch-only", is_flag=True, help="Only commit on a local branch; push nothing, no PR.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_workspace
def pr_command(
    ws: Workspace, prompt_id: str, session_id: str, token: str | None, branch_only: bool, as_json: bool
) -> None:
    """Publish an optimization session of AGENT/NAME as a pull request.

    Commits the session's confirmed candidate on promptops/AGENT/NAME/GOAL (one commit on
    the default branch, trailers naming prompt, base version, goal and session), attaches
    the eval summary as a git note, pushes both with a lease, then opens or updates the
    pull request: the report as body and sticky comment, labels promptops, goal:GOAL and
    promptops:recommended or promptops:not-recommended, and the promptops/eval status.
    A session whose candidate was not shown to be better is still published, labelled
    not-recommended. Without a token the branch is pushed and the command says how to open
    the PR. Your checkout is not touched.

    \b
    Examples:
      promptops pr support-agent/system --session 20261125T142400Z-support-agent-system-1a2b3c
      promptops pr support-agent/system --session 20261125T1424 --branch-only
    """
    from promptops.bot.publish import publish_session

    outcome = publish_session(
        ws.config, session_id, open_pr=not branch_only, token=token, prompt_id=prompt_id
    )
    if as_json:
        click.echo(json.dumps(outcome.to_json(), indent=2))
        return
    print_publish_outcome(outcome)
