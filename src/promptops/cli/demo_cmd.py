"""`promptops demo`: the whole loop in a new folder, offline."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("demo")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@pass_workspace
def demo_command(ws: Workspace, folder: Path | None) -> None:
    """Run the whole promptops loop on a sample repository in FOLDER.

    FOLDER must be new or empty; without it the demo uses ./promptops-demo, or
    ./promptops-demo-2, -3, ... when earlier demos are there. The demo creates a prompt
    repository with a local bare origin, evaluates it, optimizes a prompt for
    conciseness, commits the variant on its branch with its eval note, writes the pull
    request body to a file, merges it and records the deployment, shows the history, and
    rolls back. No network and no API key needed (the echo provider stands in for the
    model); with ANTHROPIC_API_KEY set, evaluations use the real model. See docs/demo.md.
    """
    from promptops.demo import run_demo

    target = ws.start / folder if folder is not None else _fresh_folder(ws.start / "promptops-demo")
    for step in run_demo(target):
        click.echo(f"\n== {step.title}")
        for line in step.lines:
            click.echo(f"   {line}")
        for place in step.look:
            click.echo(f"   look: {place}")
    click.echo(f"\ndone: everything is in {target.resolve()}")


def _fresh_folder(first: Path) -> Path:
    """`first`, or the first of `first-2`, `first-3`, ... that is absent or empty."""
    candidate, n = first, 1
    while candidate.exists() and any(candidate.iterdir()):
        n += 1
        candidate = first.with_name(f"{first.name}-{n}")
    return candidate
