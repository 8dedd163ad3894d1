"""`promptops optimize`: analyze, generate, guard, search on dev, confirm on holdout."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from promptops.cli.options import budget_options, no_cache_option, saving_raw_replies
from promptops.cli.publish_output import print_publish_outcome
from promptops.cli.workspace import Workspace, pass_workspace
from promptops.config import GOALS

if TYPE_CHECKING:
    from promptops.optimize.optimizer import OptimizeResult


@click.command("optimize")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.option("--goal", default=None, help=f"What to improve: {', '.join(GOALS)} (default: optimizer.goal).")
@click.option(
    "--variants", type=click.IntRange(1, 20), default=None, help="Variants the LLM writes per round."
)
@click.option(
    "--rounds", type=click.IntRange(1, 10), default=None, help="Rounds; later ones reflect on failures."
)
@budget_options
@click.option(
    "--logs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Execution log (JSONL) whose failure groups the analysis sees; repeatable.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the session JSON here.",
)
@click.option(
    "--write",
    "write_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the winning variant's text here.",
)
@click.option(
    "--open-pr",
    is_flag=True,
    help="Then publish the session: branch, commit, note, push and pull request (as `promptops pr`).",
)
@click.option(
    "--branch-only", is_flag=True, help="Then commit the result on a local branch only (no push, no PR)."
)
@click.option("--token", default=None, help="GitHub token for --open-pr (default: $GITHUB_TOKEN).")
@no_cache_option
@pass_workspace
def optimize_command(
    ws: Workspace,
    prompt_id: str,
    goal: str | None,
    variants: int | None,
    rounds: int | None,
    budget_calls: int | None,
    budget_usd: float | None,
    logs: tuple[Path, ...],
    json_path: Path | None,
    write_path: Path | None,
    open_pr: bool,
    branch_only: bool,
    token: str | None,
    no_cache: bool,
) -> None:
    """Find a better version of AGENT/NAME for a goal, and show the evidence.

    Writes variants (with the optimizer model, or deterministic edits when
    `optimizer.provider` is null), rejects those that break the agent's invariants,
    selects among the rest on the dev cases by successive halving, and confirms the best
    against the base on the holdout cases. Every step is recorded in
    .promptops/sessions/<id>.json. Budgets default to optimizer.budget.

    \b
    Examples:
      promptops optimize support-agent/system --goal conciseness
      promptops optimize support-agent/system --goal accuracy --variants 4 --rounds 2 \\
          --budget-calls 400 --write /tmp/system.md
      promptops optimize support-agent/system --goal conciseness --open-pr
    """
    from promptops.optimize.optimizer import OptimizeOptions, run_optimization

    if open_pr and branch_only:
        raise click.UsageError("--open-pr and --branch-only are exclusive: pick one")
    cfg = ws.config
    options = OptimizeOptions(
        goal=goal or cfg.get("optimizer.goal"),
        variants=variants or cfg.get("optimizer.variants"),
        rounds=rounds or cfg.get("optimizer.rounds"),
        budget_calls=budget_calls if budget_calls is not None else cfg.get("optimizer.budget.calls"),
        budget_usd=budget_usd if budget_usd is not None else cfg.get("optimizer.budget.usd"),
        logs=logs,
        no_cache=no_cache,
    )
    with saving_raw_replies(ws):
        result = run_optimization(cfg, prompt_id, options)
    if json_path is not None:
        json_path.write_text(
            json.dumps(result.session.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8"
        )
    _print(ws, result)
    if write_path is not None:
        _write(result, write_path)
    if open_pr or branch_only:
        _publish(ws, result, open_pr=open_pr, token=token)


def _publish(ws: Workspace, result: OptimizeResult, *, open_pr: bool, token: str | None) -> None:
    from promptops.bot.publish import publish_session

    outcome = publish_session(ws.config, result.session.path, open_pr=open_pr, token=token)
    print_publish_outcome(outcome)


def _print(ws: Workspace, result: OptimizeResult) -> None:
    session = result.session
    click.echo(f"session {session.id}: {session.status} ({_rel(ws, session.path)})")
    for c in session.candidates:
        state = "accepted" if c.accepted else "rejected: " + "; ".join(c.invariants["reasons"])
        click.echo(f"  {c.id:<6} {c.origin:<10} {c.invariants['tokens']:>6} tokens  {state}")
    for d in session.dropped:
        click.echo(f"  dropped ({d['origin']}, round {d['round']}): {d['reason']}")
    search = session.search
    if search["rungs"]:
        rungs = ", then ".join(f"{len(r['candidates'])} on {r['cases']}" for r in search["rungs"])
        click.echo(f"search: {search['dev_cases']} dev cases; candidates on dev cases per rung: {rungs}")
    for note in search["notes"]:
        click.echo(f"  note: {note}")
    if session.holdout:
        verdict = session.holdout["verdict"]
        click.echo(
            f"holdout ({session.holdout['cases']} cases, {session.holdout['candidate']} vs base): "
            f"{verdict['headline']}"
        )
        for reason in verdict["reasons"]:
            click.echo(f"  - {reason}")
    click.echo(f"recommendation: {session.recommendation['summary']}")
    if result.chosen is not None:
        click.echo(_diff(result.base_text, result.chosen.text, session.prompt["path"]), nl=False)
    usage = session.usage
    click.echo(
        f"usage: {usage.get('calls', 0)} calls ({usage.get('cached_calls', 0)} cached), "
        f"${usage.get('cost_usd', 0.0):.4f}"
    )


def _diff(base: str, new: str, path: str) -> str:
    lines = difflib.unified_diff(
        base.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _write(result: OptimizeResult, path: Path) -> None:
    if result.chosen is None:
        click.echo(f"nothing written to {path}: no candidate is recommended")
        return
    path.write_text(result.chosen.text, encoding="utf-8")
    click.echo(f"wrote {result.chosen.id} to {path}")


def _rel(ws: Workspace, path: Path) -> str:
    try:
        return str(path.relative_to(ws.root))
    except ValueError:
        return str(path)
