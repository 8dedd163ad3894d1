"""`promptops history`: the `git log` walk started before click is even imported.

Python's start, click and the command group take about as long as git's walk of a long
history (~0.1 s each), and the walk needs none of them. So the entry point hands the
arguments here first: when they are plainly `history AGENT/NAME` with the command's own
options, the prompt is found and its walk started (or its kept answer read), then click is
imported while git walks on the other core, and the command takes the started walk if it
was started for the same folder, prompt and --fetch (`take_early`).

Anything unusual (--help, an option this does not know, any error on the way, a shallow
clone to deepen) starts nothing: the command then does it all itself and reports errors
the ordinary way, so what a user sees never depends on this shortcut. Nothing here prints
except for Ctrl-C, and click is not imported.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promptops.repo.history import StartedHistory

FLAGS = {"--json", "--all-branches", "--chart"}
FETCH = {"--fetch": True, "--no-fetch": False}
EXIT_INTERRUPTED = 130  # as promptops.cli.workspace (which imports click)


@dataclass(frozen=True)
class HistoryArgs:
    """What the walk depends on: the folder the command starts in, the prompt, --fetch."""

    start: Path
    prompt_id: str
    fetch: bool | None


_started: list[tuple[HistoryArgs, StartedHistory]] = []


def parse_history_args(argv: Sequence[str]) -> HistoryArgs | None:
    """The arguments of `[-C DIR] history [-C DIR] AGENT/NAME [history's options]`, as click
    will read them (`-C` before the command sets the folder, each one after it goes into a
    subfolder); None for anything else."""
    args = list(argv)
    start = Path(".")
    while args[:1] == ["-C"] and len(args) >= 2:
        start, args = Path(args[1]), args[2:]
    if args[:1] != ["history"]:
        return None
    prompt_id: str | None = None
    fetch: bool | None = None
    rest = args[1:]
    while rest:
        arg, rest = rest[0], rest[1:]
        if arg in FLAGS:
            continue
        if arg in FETCH:
            fetch = FETCH[arg]
        elif arg in ("-C", "--limit") and rest:
            start, rest = (start / rest[0] if arg == "-C" else start), rest[1:]
        elif arg.startswith("--limit="):
            continue
        elif not arg.startswith("-") and prompt_id is None:
            prompt_id = arg
        else:
            return None
    return HistoryArgs(start, prompt_id, fetch) if prompt_id else None


def start_early(argv: Sequence[str]) -> None:
    """Start the walk for `promptops ARGV` when it is a plain `history` command (see above)."""
    args = parse_history_args(argv)
    if args is None:
        return
    try:
        started = _start(args)
    except KeyboardInterrupt:
        sys.stderr.write("promptops: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except Exception:  # noqa: BLE001 - the command does it again and reports it its own way
        return
    if started is not None:
        _started.append((args, started))
        atexit.register(_cancel_untaken)


def _start(args: HistoryArgs) -> StartedHistory | None:
    from promptops.config import find_repo_root, load_config
    from promptops.git.shallow import is_shallow
    from promptops.repo.history import start_history

    config = load_config(find_repo_root(args.start))
    if is_shallow(config.root):  # the command deepens it first, and says so
        return None
    return start_history(config, args.prompt_id, fetch=args.fetch)


def take_early(args: HistoryArgs) -> StartedHistory | None:
    """The walk started for these arguments, if one was; one started for others is stopped."""
    if not _started:
        return None
    early, started = _started.pop()
    if early == args:
        return started
    started.cancel()
    return None


def _cancel_untaken() -> None:
    """At exit: stop a walk the command never took (click refused the arguments, say)."""
    while _started:
        _started.pop()[1].cancel()
