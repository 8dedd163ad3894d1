"""The `promptops` command: click wiring only.

Each command lives in its own module under `promptops.cli` and registers itself on
`main`; the library does the work and raises `PromptopsError`, and `PromptopsGroup` is
the one place that turns those into a single stderr line and an exit code.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import click

from promptops import __version__
from promptops.config import Config, find_repo_root, load_config
from promptops.errors import PromptopsError

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 3


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


@dataclass
class Workspace:
    """The repository a command works on, with its settings loaded on first use."""

    start: Path
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(find_repo_root(self.start))
        return self._config

    @property
    def root(self) -> Path:
        return self.config.root


pass_workspace = click.make_pass_decorator(Workspace)


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


def _register() -> None:
    # Imported for their side effect of adding commands to `main`.
    from promptops.cli import (  # noqa: F401
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


_register()
