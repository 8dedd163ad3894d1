"""`promptops analyze`: the optimizer model's review of one prompt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from promptops.cli.options import saving_raw_replies
from promptops.cli.workspace import Workspace, pass_workspace


@click.command("analyze")
@click.argument("prompt_id", metavar="AGENT/NAME")
@click.option(
    "--logs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Execution log (JSONL) whose top failure groups the analysis sees; repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@pass_workspace
def analyze_command(ws: Workspace, prompt_id: str, logs: tuple[Path, ...], as_json: bool) -> None:
    """Ask the optimizer model what is strong and weak in AGENT/NAME.

    It sees the prompt's text, type and token count, its latest saved eval run and the
    cases that failed there, and (with --logs) the most frequent production failures.
    Needs `optimizer.provider` in .promptops.yaml.

    \b
    Example:
      promptops analyze support-agent/system --logs logs/support.jsonl
    """
    from promptops.optimize.optimizer import analyze_prompt

    with saving_raw_replies(ws):
        analysis = analyze_prompt(ws.config, prompt_id, logs)
    if as_json:
        click.echo(json.dumps(analysis, indent=2, ensure_ascii=False))
    else:
        click.echo(render_analysis(prompt_id, analysis), nl=False)


def render_analysis(prompt_id: str, a: dict[str, Any]) -> str:
    lines = [
        f"{prompt_id}: quality {a['overall_quality']}/10; work on {a['recommended_priority']} first",
        a["summary"],
        "",
    ]
    for title, items in (
        ("Strengths", a["strengths"]),
        ("Weaknesses", a["weaknesses"]),
        ("Token reduction", a["token_reduction"]),
        ("Safety concerns", a["safety_concerns"]),
    ):
        lines.append(f"{title}:")
        lines += [f"  - {item}" for item in items] or ["  (none)"]
    lines.append("Opportunities:")
    for o in a["opportunities"]:
        lines.append(f"  - [{o['impact']}] {o['area']}: {o['description']}")
        lines.append(f"      change: {o['suggested_change']}")
    return "\n".join(lines) + "\n"
