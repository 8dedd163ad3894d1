"""How `pr` and `optimize --open-pr` print a published session."""

from __future__ import annotations

import click

from promptops.gitops.publish import PublishOutcome


def print_publish_outcome(outcome: PublishOutcome) -> None:
    click.echo(outcome.message)
    click.echo(f"branch {outcome.branch}, commit {outcome.commit[:10]}")
