"""The repository a command works on, handed to every command by click.

Commands import this module, never the group that registers them (`promptops.cli.app`),
so registration has one direction: the app imports the commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from promptops.config import Config, find_repo_root, load_config

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as git and the shell report a cut pipe


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


DIRECTORY_HELP = "Run as if promptops was started in DIR (as `git -C`; also accepted before the command)."


def _change_directory(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        workspace = ctx.find_object(Workspace)
        if workspace is not None:
            # relative to a -C given before the command, as git does with several -C
            workspace.start = workspace.start / value


def add_directory_option(command: click.Command) -> None:
    """Let `-C DIR` follow the command name too (`promptops eval -C repo ...`), in it and its subcommands."""
    command.params.append(
        click.Option(
            ["-C", "change_directory"],
            metavar="DIR",
            type=click.Path(file_okay=False, path_type=Path),
            expose_value=False,
            callback=_change_directory,
            help=DIRECTORY_HELP,
        )
    )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_directory_option(sub)
