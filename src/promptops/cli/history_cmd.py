"""`promptops history AGENT/NAME`: the versions of one prompt on the default branch."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from promptops.cli.table import format_table
from promptops.cli.workspace import Workspace, pass_workspace
from promptops.version_ids import short_id

if TYPE_CHECKING:
    from promptops.repo.history import PromptHistory


@click.command("history")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all-branches", is_flag=True, help="Also show commits on other local and remote branches.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show only the newest N versions.")
@click.option(
    "--chart",
    is_flag=True,
    help="Print Mermaid charts (pass rate with its interval, tokens) instead of the table.",
)
@click.option(
    "--fetch/--no-fetch",
    default=None,
    help="Fetch origin's eval notes first / never (default: when the last fetch is older than "
    "history.notes_max_age_minutes).",
)
@pass_workspace
def history_command(
    ws: Workspace,
    prompt_id: str,
    as_json: bool,
    all_branches: bool,
    limit: int | None,
    chart: bool,
    fetch: bool | None,
) -> None:
    """Show the versions of a prompt, newest first.

    vN counts the first-parent commits of the default branch that changed the prompt's
    file (renames followed); VERSION is the version id (blob id) the file had after that
    commit. With --all-branches, commits not on the default branch show vN as '-'.
    The version deployed now (the tip of the default branch) is marked with '*'; PR is
    the pull request that merged the commit; EVAL is the eval summary promptops attached
    as a git note (refs/notes/promptops; origin's notes are fetched when the last fetch is
    older than history.notes_max_age_minutes, default 60, or always with --fetch).

    With --chart, prints the newest versions on the default branch as Mermaid xychart-beta
    blocks (paste them into an issue or comment; GitHub draws them): the pass rate of each
    version's eval with its interval, and tokens. Versions without an eval are left off the
    pass-rate chart, not drawn as 0%.

    Example: promptops history support-agent/system --limit 5
    """
    if chart and as_json:
        raise click.UsageError("--chart and --json are two different outputs; pick one")
    # Imported here so other commands and --help do not pay for it.
    from promptops.repo.eval_notes import describe_note
    from promptops.repo.history import complete_history, prompt_history

    deepened = complete_history(ws.config)
    if deepened:
        click.echo(f"promptops: note: {deepened}", err=True)
    history = prompt_history(ws.config, prompt_id, all_branches=all_branches, limit=limit, fetch=fetch)
    if as_json:
        click.echo(json.dumps(history.to_json(), indent=2))
        return
    if chart:
        from promptops.dashboard.version_points import history_charts

        click.echo(history_charts(history))
        return
    click.echo(f"{history.prompt_id} ({history.path}): {history.total} versions on {history.branch}")
    rows = [
        (
            (f"v{v.number}" if v.number else "-") + ("*" if v.deployed else ""),
            short_id(v.version_id) if v.version_id else "(deleted)",
            v.commit[:10],
            v.date[:10],
            v.author,
            v.subject,
            v.tokens,
            f"#{v.pr_number}" if v.pr_number else None,
            describe_note(v.eval) if v.eval else None,
        )
        for v in history.versions
    ]
    if rows:
        headers = ("vN", "VERSION", "COMMIT", "DATE", "AUTHOR", "SUBJECT", "TOKENS", "PR", "EVAL")
        click.echo(format_table(headers, rows))
        deployed = next((v for v in history.versions if v.deployed), None)
        if deployed is not None:
            click.echo(f"* deployed: v{deployed.number}, the tip of {history.branch}")
    _print_rollout_steps(history)


def _print_rollout_steps(history: PromptHistory) -> None:
    """The canary rollouts of the prompt on the default branch, step by step, if it had any."""
    steps = history.rollout_steps
    if not steps:
        return
    click.echo(f"\nrollout steps of {history.prompt_id} on {history.branch}:")
    rows = [
        (
            s.date[:10],
            s.commit[:10],
            "-" if s.weight is None else f"{s.weight:g}%",
            s.outcome,
            f"#{s.pr_number}" if s.pr_number else None,
            s.subject,
        )
        for s in steps
    ]
    click.echo(format_table(("DATE", "COMMIT", "WEIGHT", "STEP", "PR", "SUBJECT"), rows))
