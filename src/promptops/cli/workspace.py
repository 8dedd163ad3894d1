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
