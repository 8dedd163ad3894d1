"""Options shared by the commands that read execution logs (`ab`, `failures`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from promptops.cli.workspace import Workspace
from promptops.config import DEFAULTS, find_repo_root
from promptops.errors import ConfigError, InputError
from promptops.logs.prompt_ids import check_prompt_id
from promptops.logs.reader import parse_since

_PATH = click.Path(dir_okay=False, path_type=Path)


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--logs PATH... (repeatable, or followed by several paths), --since, --strict."""
    for option in reversed(
        (
            click.argument("more_logs", nargs=-1, type=_PATH, metavar="[PATH]..."),
            click.option(
                "--logs",
                multiple=True,
                type=_PATH,
                metavar="PATH",
                help="Execution log (JSONL, gzip allowed); repeat it or list several paths after it.",
            ),
            click.option(
                "--since",
                metavar="DATE",
                help="Only lines at or after DATE: 2026-11-01, an ISO date-time, or 7d/24h.",
            ),
            click.option(
                "--strict", is_flag=True, help="Stop at the first bad log line instead of skipping it."
            ),
        )
    ):
        command = option(command)
    return command


def resolve_inputs(
    ws: Workspace, logs: tuple[Path, ...], more_logs: tuple[Path, ...], since: str | None, prompt_id: str
) -> tuple[list[Path], datetime | None, str]:
    """Log paths (relative ones taken from `-C`), the --since time, and the checked prompt id."""
    paths = [ws.start / p for p in (*logs, *more_logs)]
    if not paths:
        raise InputError("no logs given: pass --logs PATH (several paths or --logs options allowed)")
    return paths, parse_since(since) if since else None, check_prompt_id(prompt_id)


def decision_alpha(ws: Workspace) -> float:
    """`decision.alpha` of the repository when run inside one; the default on a log server."""
    try:
        find_repo_root(ws.start)
    except ConfigError:
        return float(DEFAULTS["decision"]["alpha"])
    return float(ws.config.get("decision.alpha"))
