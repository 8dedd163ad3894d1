"""`promptops rollout start|check`: canary rollouts of a prompt, step by step."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from promptops.cli.log_options import expand_log_paths
from promptops.cli.workspace import Workspace, pass_workspace
from promptops.errors import InputError

if TYPE_CHECKING:
    from promptops.bot.rollout import RolloutReport


@click.group("rollout")
def rollout_group() -> None:
    """Canary rollouts: serve a candidate prompt to a share of traffic, step by step.

    A rollout is prompts/AGENT/rollout.yaml beside agent.yaml. `start` proposes one in a pull
    request; after merging, agents using promptops.runtime split traffic by a stable hash of
    the key they pass (PromptStore.get(id, key=user_id)). `check` analyses the logs of the
    current step and, with --apply, advances, promotes or aborts.
    """


@rollout_group.command("start")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.option(
    "--file", "candidate_file", type=click.Path(dir_okay=False, path_type=Path), help="The candidate text."
)
@click.option("--from-branch", metavar="BRANCH", help="Take the candidate from the prompt's file on BRANCH.")
@click.option("--steps", default="5,25,50,100", show_default=True, help="Percents of traffic, in order.")
@click.option("--key", metavar="NAME", help="What the split hashes, e.g. user (documentation for readers).")
@click.option(
    "--min-samples",
    type=click.IntRange(min=10),
    default=400,
    show_default=True,
    help="Calls per arm per step.",
)
@click.option("--branch-only", is_flag=True, help="Commit on a local branch; push nothing, open no PR.")
@click.option("--token", envvar="GITHUB_TOKEN", help="GitHub token (default: $GITHUB_TOKEN).")
@pass_workspace
def start_command(
    ws: Workspace,
    prompt_id: str,
    candidate_file: Path | None,
    from_branch: str | None,
    steps: str,
    key: str | None,
    min_samples: int,
    branch_only: bool,
    token: str | None,
) -> None:
    """Propose a rollout of AGENT/NAME in a pull request (the candidate beside the stable text).

    \b
    Example:
      promptops rollout start support-agent/system --from-branch promptops/support-agent/system/conciseness
    """
    from promptops.bot.rollout import commit_start, plan_start
    from promptops.bot.rollout_apply import open_start_pull

    text = None
    if candidate_file is not None:
        path = ws.start / candidate_file
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: error: cannot read the candidate: {exc}") from None
    plan = plan_start(
        ws.config,
        prompt_id,
        candidate_text=text,
        from_branch=from_branch,
        steps=_steps(steps),
        key=key,
        min_samples=min_samples,
    )
    commit = commit_start(ws.config, plan, push=not branch_only)
    if branch_only:
        click.echo(
            f"committed the rollout of {plan.prompt_id} as {commit[:10]} on local branch {plan.branch}"
        )
        return
    click.echo(open_start_pull(ws.config, plan, commit, token=token))


@rollout_group.command("check")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.argument("more_logs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path), metavar="[PATH]...")
@click.option(
    "--logs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Execution log (JSONL, gzip allowed, a glob, or - for stdin); repeatable.",
)
@click.option(
    "--apply", "apply_outcome", is_flag=True, help="Turn the outcome into a commit or pull request."
)
@click.option("--json", "as_json", is_flag=True, help="Print the check (and what was applied) as JSON.")
@click.option(
    "--token", envvar="GITHUB_TOKEN", help="GitHub token for PRs and comments (default: $GITHUB_TOKEN)."
)
@pass_workspace
def check_command(
    ws: Workspace,
    prompt_id: str,
    more_logs: tuple[Path, ...],
    logs: tuple[Path, ...],
    apply_outcome: bool,
    as_json: bool,
    token: str | None,
) -> None:
    """Analyse the current step of AGENT/NAME's rollout: waiting, advance, promote or abort.

    Only calls of the two versions since the commit that set the current weight count.
    Exit status: 0 for waiting, advance and promote; 1 for abort and pause.

    \b
    Example:
      promptops rollout check support-agent/system --logs 'logs/*.jsonl.gz' --apply
    """
    from promptops.bot.rollout import check_rollout
    from promptops.bot.rollout_apply import apply_check

    paths = expand_log_paths(ws.start, (*logs, *more_logs))
    if not paths:
        raise InputError("no logs given: pass --logs PATH (a glob, several paths, or - for stdin)")
    report = check_rollout(ws.config, prompt_id, paths)
    applied = apply_check(ws.config, report, token=token) if apply_outcome else None
    if as_json:
        out = {
            "check": report.check.to_dict(),
            "step_commit": report.step.commit,
            "logs": asdict(report.logs),
        }
        if applied is not None:
            out["applied"] = applied.__dict__
        click.echo(json.dumps(out, indent=2, default=str))
    else:
        _print(report)
        if applied is not None:
            click.echo(applied.message)
    if report.check.outcome in ("abort", "pause"):
        raise SystemExit(1)


def _print(report: RolloutReport) -> None:
    from promptops.cli.table import format_table
    from promptops.logs.rollout_analysis import fmt_figure

    check = report.check
    rows = [
        [
            m.metric,
            fmt_figure(m.stable_mean),
            fmt_figure(m.candidate_mean),
            fmt_figure(m.difference),
            f"{fmt_figure(m.low)} .. {fmt_figure(m.high)}",
            f"{m.margin:g}",
            "REGRESSION" if m.regression else "-",
        ]
        for m in check.metrics
    ]
    click.echo(
        f"{check.prompt_id} at {check.weight:g}% since {report.step.commit[:10]} ({report.step.timestamp}): "
        f"stable {check.stable_version[:10]} {check.stable_n:,} calls, "
        f"candidate {check.candidate_version[:10]} {check.candidate_n:,} calls"
    )
    click.echo(
        format_table(["metric", "stable", "candidate", "diff", "always-valid interval", "allowed", ""], rows)
    )
    click.echo(f"{check.outcome}: " + "; ".join(check.reasons))


def _steps(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise InputError(
            f"--steps: expected percents separated by commas, e.g. 5,25,50,100; got {text!r}"
        ) from None
