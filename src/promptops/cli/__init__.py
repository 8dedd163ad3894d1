"""The `promptops` command line: click wiring only, one module per command.

`app` holds the group and registers every `*_cmd` module's command; commands take the
repository they work on from `workspace`. `promptops.cli:main` (the console script) is
resolved lazily so that importing a command module never imports the group.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "main":
        import sys

        from promptops.cli.history_early import start_early

        start_early(sys.argv[1:])  # `history`'s git walk runs while click and the commands load
        from promptops.cli.app import main

        globals()["main"] = main  # `from promptops.cli import main` looks twice: start once

        return main
    raise AttributeError(f"module 'promptops.cli' has no attribute {name!r}")
