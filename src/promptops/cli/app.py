"""The `promptops` group: the one place that registers the commands and handles errors.

Each command lives in its own module under `promptops.cli` and knows nothing of this
group; the library does the work and raises `PromptopsError`, and `PromptopsGroup` turns
those into a single stderr line and an exit code.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from promptops import __version__
from promptops.cli import (
    ab_cmd,
    analyze_cmd,
    ask_cmd,
    cache_cmd,
    ci_cmd,
    config_cmd,
    demo_cmd,
    eval_cmd,
    extract_cmd,
    failures_cmd,
    history_cmd,
    import_promptfoo_cmd,
    init_cmd,
    lint_cmd,
    list_cmd,
    optimize_cmd,
    pr_cmd,
    rollback_cmd,
)
from promptops.cli.workspace import EXIT_INTERNAL, EXIT_INTERRUPTED, Workspace
from promptops.errors import PromptopsError


class PromptopsGroup(click.Group):
    """Maps expected failures to one line and exit code; anything else to a log file."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PromptopsError as exc:
            click.echo(f"promptops: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("promptops: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception:
            import tempfile  # only on a crash: it costs start-up time on every run otherwise

            log = Path(tempfile.mkstemp(prefix="promptops-crash-", suffix=".log")[1])
            log.write_text(traceback.format_exc(), encoding="utf-8")
            click.echo(f"promptops: internal error; traceback written to {log}", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=PromptopsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="promptops")
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Run as if promptops was started in this folder.",
)
@click.pass_context
def main(ctx: click.Context, directory: Path) -> None:
    """Git-native GitOps for the prompts of LLM agents.

    Prompts are plain files in git; promptops tests them against their eval cases,
    writes improved variants, and proposes them as pull requests.
    """
    ctx.obj = Workspace(start=directory)


for _command in (
    ab_cmd.ab_command,
    analyze_cmd.analyze_command,
    ask_cmd.ask_command,
    cache_cmd.cache_group,
    ci_cmd.ci_command,
    config_cmd.config_command,
    demo_cmd.demo_command,
    eval_cmd.eval_command,
    extract_cmd.extract_command,
    failures_cmd.failures_command,
    history_cmd.history_command,
    import_promptfoo_cmd.import_promptfoo_command,
    init_cmd.init_command,
    lint_cmd.lint_command,
    list_cmd.list_command,
    optimize_cmd.optimize_command,
    pr_cmd.pr_command,
    rollback_cmd.rollback_command,
):
    main.add_command(_command)
