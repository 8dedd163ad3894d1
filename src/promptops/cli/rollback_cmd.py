"""`promptops rollback AGENT/NAME --to VERSION`: restore an earlier version in a new commit."""

from __future__ import annotations

import json

import click

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("rollback")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="VERSION",
    help="The version to restore: vN, a version id (or prefix) or a commit (see `promptops history`).",
)
@click.option(
    "--direct",
    is_flag=True,
    help="Emergency: push the commit straight to the default branch instead of opening a PR.",
)
@click.option("--branch-only", is_flag=True, help="Only commit on a local branch; push nothing, no PR.")
@click.option("--token", default=None, help="GitHub token (default: $GITHUB_TOKEN).")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_workspace
def rollback_command(
    ws: Workspace,
    prompt_id: str,
    target: str,
    direct: bool,
    branch_only: bool,
    token: str | None,
    as_json: bool,
) -> None:
    """Roll AGENT/NAME back to an earlier version, in a new commit.

    The content the prompt had at VERSION is written to the prompt's current path (and
    nothing else) in a commit `Revert AGENT/NAME to vN` on the branch
    promptops/AGENT/NAME/rollback, which is pushed and proposed in a pull request labelled
    `rollback`. Your checkout is not touched. Without a token the branch is pushed and the
    command says how to open the PR.

    \b
    Examples:
      promptops rollback support-agent/system --to v5
      promptops rollback support-agent/system --to 8c3b5e0f61
      promptops rollback support-agent/system --to v5 --direct
    """
    from promptops.bot.rollback import rollback_prompt

    outcome = rollback_prompt(
        ws.config, prompt_id, target, direct=direct, open_pr=not branch_only, token=token
    )
    if as_json:
        click.echo(json.dumps(outcome.to_json(), indent=2))
        return
    click.echo(outcome.message)
