"""The `promptops` command line: click wiring only, one module per command.

`app` holds the group and registers every `*_cmd` module's command; commands take the
repository they work on from `workspace`. `promptops.cli:main` (the console script) is
resolved lazily so that importing a command module never imports the group.
"""

from __future__ import annotations

import gc


def __getattr__(name: str) -> object:  # not typing.Any: that import would precede the thresholds
    if name == "main":
        # A command is a short-lived process that builds a few hundred thousand objects that
        # live to its end (modules, a parsed cases file, a record per sample) and makes few
        # cycles. At Python's default (a young collection every 700 allocations) a 2,000-case
        # eval ran ~400 collections, 3 of them full, 0.4-0.5 s of its ~1.9 s of CPU; at 50,000,
        # ~50 and none full, 0.1-0.2 s, for at most a few MB of cyclic garbage kept longer.
        # Set here, as the console script (and `python -m promptops`) asks for `main`, before
        # the command's imports: set later, those ran ~27 young collections first.
        gc.set_threshold(50_000, 20, 100)
        from promptops.cli.app import main

        return main
    raise AttributeError(f"module 'promptops.cli' has no attribute {name!r}")
