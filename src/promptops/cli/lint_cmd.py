"""`promptops lint [PATHS]`: one line per finding, like a compiler or ruff."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from promptops.cli.workspace import Workspace, pass_workspace

if TYPE_CHECKING:
    from promptops.repo.lint import Finding


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print findings as a JSON list.")
@pass_workspace
def lint_command(ws: Workspace, paths: tuple[Path, ...], strict: bool, as_json: bool) -> None:
    """Check the agents under PATHS (default: the prompts folder).

    Prints `path:line:col: CODE message` per finding. Errors make the exit status 1;
    warnings do too with --strict. The codes are listed in docs/commands.md.

    Example: promptops lint prompts/ --strict
    """
    # Imported here so other commands and --help do not pay for it.
    from promptops.repo.lint import lint_paths

    targets = [p if p.is_absolute() else ws.start / p for p in paths]
    findings = lint_paths(ws.config, targets)
    if as_json:
        click.echo(json.dumps([_as_json(f, ws.start) for f in findings], indent=2))
    else:
        for f in findings:
            click.echo(f"{_shown(f.path, ws.start)}:{f.line}:{f.column}: {f.code} {f.message}")
        errors = sum(f.severity == "error" for f in findings)
        click.echo(f"{errors} errors, {len(findings) - errors} warnings", err=True)
    failing = [f for f in findings if f.severity == "error" or strict]
    if failing:
        raise SystemExit(1)


def _shown(path: Path, start: Path) -> str:
    """Relative to where the user ran the command when inside it, like ruff prints paths."""
    if not path.is_absolute():
        return str(path)
    relative = os.path.relpath(path, start.resolve())
    return str(path) if relative.startswith("..") else Path(relative).as_posix()


def _as_json(f: Finding, start: Path) -> dict[str, object]:
    return {
        "path": _shown(f.path, start),
        "line": f.line,
        "column": f.column,
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
    }
