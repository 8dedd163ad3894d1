"""`promptops eval-merge RUN_FILE...`: the shards of a sharded `promptops eval` as one run.

A separate command rather than `eval merge`: `eval AGENT` takes any agent name, so a
subcommand named `merge` would shadow an agent called merge.
"""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.workspace import Workspace, pass_workspace
from promptops.config import GOALS


@click.command("eval-merge")
@click.argument("run_files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--goal",
    type=click.Choice(GOALS),
    default="accuracy",
    show_default=True,
    help="What the verdict judges when the shards hold base and head runs (eval --compare).",
)
@click.option(
    "--min-pass-rate",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Exit 1 when the merged pass rate is below this.",
)
@click.option("--json", "json_path", default=None, metavar="PATH", help="Write the merged run(s) as JSON.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--all-cases", is_flag=True, help="Print a row for every case, not only failing or changed ones."
)
@pass_workspace
def eval_merge_command(
    ws: Workspace,
    run_files: tuple[Path, ...],
    goal: str,
    min_pass_rate: float,
    json_path: str | None,
    junit_path: Path | None,
    markdown_path: Path | None,
    all_cases: bool,
) -> None:
    """Merge the run files of `promptops eval --shard I/N` (every I of one N) into one run.

    Refuses shards of different agents, prompt versions, cases files or settings, and a
    set missing a shard. With the shards of `eval --compare`, also compares base and head
    and prints the verdict, as one `eval --compare` would. The merged run is saved in
    .promptops/runs/; exit 1 when its pass rate is below --min-pass-rate.

    \b
        promptops eval support-agent --shard 1/2    # on one machine
        promptops eval support-agent --shard 2/2    # on another
        promptops eval-merge shard-runs/*.json --markdown summary.md
    """
    from promptops.cli.eval_output import finish, print_outcome, write_exports
    from promptops.evals.command import run_merge_command

    outcome = run_merge_command(ws.config, list(run_files), goal)
    print_outcome(outcome, to_stderr=json_path == "-", all_cases=all_cases)
    write_exports(outcome, json_path, junit_path, markdown_path)
    finish(outcome, min_pass_rate)
