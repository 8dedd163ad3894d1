"""`promptops eval`: run an agent's test cases, optionally against a base ref; print and export.

The evaluation library and the terminal output load only when the command runs, so
`promptops --help` and other commands do not pay for them.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from promptops.cli.options import (
    batch_option,
    budget_from_options,
    budget_options,
    no_cache_option,
    saving_raw_replies,
)
from promptops.cli.workspace import Workspace, pass_workspace
from promptops.config import GOALS
from promptops.errors import InputError

SPLIT_CHOICES = ("dev", "holdout", "all")  # as promptops.evals.command.SPLIT_CHOICES, without importing it


def parse_prompt_option(values: tuple[str, ...]) -> list[tuple[str, Path]]:
    pairs = []
    for value in values:
        name, sep, file = value.partition("=")
        if not sep or not name or not file:
            raise InputError(f"--prompt expects NAME=FILE (e.g. system=drafts/system.md), got {value!r}")
        pairs.append((name, Path(file)))
    return pairs


@click.command("eval")
@click.argument("agent")
@click.option(
    "--prompt",
    "prompts",
    multiple=True,
    metavar="NAME=FILE",
    help="Evaluate FILE's text as prompt NAME (system, user_template, tool:NAME, ...). Repeatable.",
)
@click.option("--ref", default=None, help="Evaluate the prompts as committed at this git ref.")
@click.option(
    "--compare",
    "base_ref",
    default=None,
    metavar="BASE_REF",
    help="Also evaluate the prompts at BASE_REF on the same cases and samples; show both.",
)
@click.option(
    "--goal",
    type=click.Choice(GOALS),
    default="accuracy",
    show_default=True,
    help="What the --compare verdict judges; a significant pass-rate drop is a regression for any goal.",
)
@click.option(
    "--repeat",
    type=click.IntRange(min=1, max=100),
    default=None,
    help="Samples per case, at least (default: evals.repeat; a case's own repeat can raise it).",
)
@click.option(
    "--split",
    type=click.Choice(SPLIT_CHOICES),
    default="all",
    show_default=True,
    help="Run only dev or holdout cases.",
)
@click.option(
    "--filter", "filter_text", default=None, help="Run only cases whose id contains TEXT or tagged TEXT."
)
@click.option(
    "--min-pass-rate",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Exit 1 when the pass rate is below this (1.0: every sample must pass).",
)
@click.option(
    "--json", "json_path", default=None, metavar="PATH", help="Write the run(s) as JSON ('-': stdout)."
)
@click.option(
    "--junit",
    "junit_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write JUnit XML for CI test reports.",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a Markdown summary (for PR comments or $GITHUB_STEP_SUMMARY).",
)
@click.option(
    "--provider",
    type=click.Choice(["echo", "anthropic", "openai"]),
    default=None,
    help="Override provider.name (echo: a free dry run that returns the rendered prompt).",
)
@click.option(
    "--model", default=None, help="Model for every case (default: agent.yaml model, else provider.model)."
)
@batch_option
@click.option(
    "--shard",
    default=None,
    metavar="I/N",
    help="Run only shard I of N (cases split by a hash of their id); merge with `promptops eval-merge`.",
)
@click.option(
    "--all-cases",
    is_flag=True,
    help="Print a row for every case (default: only failing or changed cases; files have all).",
)
@no_cache_option
@budget_options
@pass_workspace
def eval_command(
    ws: Workspace,
    agent: str,
    prompts: tuple[str, ...],
    ref: str | None,
    base_ref: str | None,
    goal: str,
    repeat: int | None,
    split: str,
    filter_text: str | None,
    min_pass_rate: float,
    json_path: str | None,
    junit_path: Path | None,
    markdown_path: Path | None,
    provider: str | None,
    model: str | None,
    batch: bool | None,
    shard: str | None,
    all_cases: bool,
    no_cache: bool,
    budget_calls: int | None,
    budget_usd: float | None,
) -> None:
    """Run AGENT's test cases and print the failing cases and a summary.

    Each case is rendered as the agent runs (system prompt, tools, few-shot examples,
    prior turns, the user template filled with the case's vars), sent through the
    response cache, and checked by its assertions. Results are saved in
    .promptops/runs/<run-id>.json. Exit 1 when the pass rate is below --min-pass-rate.

    \b
        promptops eval support-agent
        promptops eval support-agent --repeat 3 --split dev --junit report.xml
        promptops eval support-agent --compare origin/main --markdown summary.md
        promptops eval support-agent --prompt system=drafts/system.md --provider echo
        promptops eval support-agent --repeat 5 --batch

    Ctrl-C keeps the finished samples; re-run the same command to resume (cached calls are free;
    with --batch, the re-run collects the batches already submitted instead of paying again).
    """
    from promptops.cli.batch_progress import batch_progress
    from promptops.cli.eval_output import finish, print_outcome, progress_bar, write_exports
    from promptops.evals.command import EvalOptions, run_eval_command
    from promptops.evals.shards import parse_shard

    options = EvalOptions(
        agent_id=agent,
        prompt_files=parse_prompt_option(prompts),
        ref=ref,
        compare=base_ref,
        goal=goal,
        repeat=repeat,
        split=split,
        filter_text=filter_text,
        no_cache=no_cache,
        provider=provider,
        model=model,
        budget=budget_from_options(budget_calls, budget_usd),
        batch=batch,
        shard=parse_shard(shard) if shard else None,
    )
    # The loaded modules live to the end of the command: frozen, the collector's young
    # collections during the run need not walk them again. A command-line policy, like the
    # thresholds (promptops.cli); the library leaves the collector alone.
    gc.freeze()
    try:
        progress = progress_bar(sys.stderr.isatty())
        with saving_raw_replies(ws), progress as on_progress, batch_progress() as on_batch:
            outcome = run_eval_command(ws.config, options, on_progress, on_batch)
    finally:
        gc.unfreeze()
    print_outcome(outcome, to_stderr=json_path == "-", all_cases=all_cases)
    write_exports(outcome, json_path, junit_path, markdown_path)
    finish(outcome, min_pass_rate)
