"""How `pr` and `optimize --open-pr` print a published session."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the GitHub layer is imported only by the commands that publish
    from promptops.bot.publish import PublishOutcome


def print_publish_outcome(outcome: PublishOutcome) -> None:
    click.echo(outcome.message)
    click.echo(f"branch {outcome.branch}, commit {outcome.commit[:10]}")
