"""The terminal view of `promptops dashboard` (rich): the issue's content, boxes as commands.

A terminal cannot tick a box, so each action is shown with the `/promptops` command it
runs (comment it on any issue or PR, or tick the box in the dashboard issue).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from promptops.dashboard.actions import Action
from promptops.dashboard.model import Dashboard
from promptops.dashboard.render import facts


def print_dashboard(dashboard: Dashboard, console: Console | None = None) -> None:
    console = console or Console()
    where = f"{dashboard.repository} " if dashboard.repository else ""
    head = f"{where}on {dashboard.branch} at {dashboard.commit[:10]}"
    console.print(f"[bold]promptops dashboard[/] {escape(head)}")
    if dashboard.pulls_note:
        console.print(f"[yellow]{escape(dashboard.pulls_note)}[/]")
    for agent in dashboard.agents:
        console.print(f"\n[bold underline]{escape(agent.agent_id)}[/]")
        _actions(console, agent.actions)
        for prompt in agent.prompts:
            table = Table(
                title=f"{prompt.prompt_id} ({prompt.type})", show_header=False, title_justify="left"
            )
            table.add_column(style="bold")
            table.add_column(overflow="fold")
            for label, text in facts(prompt, dashboard.pulls_note):
                table.add_row(label, escape(text))
            console.print(table)
            _actions(console, prompt.actions)
    for pr in dashboard.other_pulls:
        console.print(f"other promptops PR #{pr.number}: {escape(pr.title)} ({escape(pr.verdict)})")


def _actions(console: Console, actions: tuple[Action, ...]) -> None:
    for action in actions:
        console.print(
            f"  [ ] {escape(action.label)}: [cyan]{escape(action.command)}[/]",
            highlight=False,
            soft_wrap=True,
        )
