"""The `promptops` group: the one place that registers the commands and handles errors.

Each command lives in its own module under `promptops.cli` and knows nothing of this
group; the library does the work and raises `PromptopsError`, and `PromptopsGroup` turns
those into a single stderr line and an exit code.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from promptops import __version__
from promptops.cli.workspace import (
    DIRECTORY_HELP,
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    Workspace,
    add_directory_option,
)
from promptops.errors import PromptopsError

# name -> (module under promptops.cli, attribute). A command's module is imported only when
# that command runs (or for --help): importing all of them cost every command ~0.1 s.
COMMANDS = {
    "ab": ("ab_cmd", "ab_command"),
    "analyze": ("analyze_cmd", "analyze_command"),
    "ask": ("ask_cmd", "ask_command"),
    "cache": ("cache_cmd", "cache_group"),
    "ci": ("ci_cmd", "ci_command"),
    "config": ("config_cmd", "config_command"),
    "dashboard": ("dashboard_cmd", "dashboard_command"),
    "demo": ("demo_cmd", "demo_command"),
    "eval": ("eval_cmd", "eval_command"),
    "eval-merge": ("eval_merge_cmd", "eval_merge_command"),
    "extract": ("extract_cmd", "extract_command"),
    "failures": ("failures_cmd", "failures_command"),
    "history": ("history_cmd", "history_command"),
    "import-promptfoo": ("import_promptfoo_cmd", "import_promptfoo_command"),
    "init": ("init_cmd", "init_command"),
    "lint": ("lint_cmd", "lint_command"),
    "list": ("list_cmd", "list_command"),
    "optimize": ("optimize_cmd", "optimize_command"),
    "pr": ("pr_cmd", "pr_command"),
    "rollback": ("rollback_cmd", "rollback_command"),
    "rollout": ("rollout_cmd", "rollout_group"),
}


class PromptopsGroup(click.Group):
    """Maps expected failures to one line and exit code; anything else to a log file.

    Commands are loaded on demand from COMMANDS (click's documented lazy-group pattern), each
    given `-C DIR` after its name as it is loaded.
    """

    _freeze_at_exit = False  # registered once per process (tests call main many times)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # (The collector's thresholds for a command are set in promptops.cli, before the imports.)
        # At exit the interpreter runs one last full collection over everything still alive
        # before freeing it: 20-40 ms after a 2,000-case eval, to find no garbage worth the
        # wait. Frozen objects are skipped by it; they are still freed, atexit handlers still
        # run and files still flush (promptops closes its files and databases itself).
        if not self._freeze_at_exit:
            atexit.register(gc.freeze)
            PromptopsGroup._freeze_at_exit = True
        return super().main(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"promptops.cli.{module}"), attribute)
            add_directory_option(command)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # here, so a reader that went away is seen below, not at exit
            return result
        except BrokenPipeError:
            # `promptops history X | head`: the reader has what it wanted. Quiet, as git is,
            # with git's status (128 + SIGPIPE), so `set -o pipefail` still sees the cut.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except PromptopsError as exc:
            click.echo(f"promptops: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("promptops: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception:
            import tempfile  # only on a crash: they cost start-up time on every run otherwise
            import traceback

            from promptops.bot.context import Redactor

            log = Path(tempfile.mkstemp(prefix="promptops-crash-", suffix=".log")[1])
            # Redacted like every other output: a traceback can quote a token or a key.
            log.write_text(Redactor.from_process_env(os.environ)(traceback.format_exc()), encoding="utf-8")
            click.echo(f"promptops: internal error; traceback written to {log}", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=PromptopsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="promptops")
@click.option(
    "-C",
    "directory",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help=DIRECTORY_HELP,
)
@click.pass_context
def main(ctx: click.Context, directory: Path) -> None:
    """Git-native GitOps for the prompts of LLM agents.

    Prompts are plain files in git; promptops tests them against their eval cases,
    writes improved variants, and proposes them as pull requests.
    """
    ctx.obj = Workspace(start=directory)
