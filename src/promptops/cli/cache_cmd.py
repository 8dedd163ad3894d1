"""`promptops cache stats|clear`: inspect and empty the model response cache."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

import click

from promptops.cli.workspace import Workspace, pass_workspace

if TYPE_CHECKING:
    from rich.table import Table

    from promptops.llm.cache import CacheStats


@click.group("cache")
def cache_group() -> None:
    """The response cache of model calls (.promptops/cache.sqlite by default).

    A repeated call (same provider, model, base URL, prompt, tools, params and sample
    index) is answered from the cache without reaching the provider. PROMPTOPS_CACHE
    or cache.path in .promptops.yaml moves it; cache.enabled: false turns it off.
    """


@cache_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_workspace
def stats_command(ws: Workspace, as_json: bool) -> None:
    """Show where the cache is, how many answers it holds and for which models."""
    from promptops.llm.cache import cache_stats

    stats = cache_stats(ws.config)
    if as_json:
        click.echo(json.dumps(stats.as_dict(), indent=2, sort_keys=True))
        return
    from rich.console import Console

    Console().print(_stats_table(stats))


def _stats_table(stats: CacheStats) -> Table:
    from rich.table import Table

    table = Table(title=f"Response cache: {stats.path}", show_header=False)
    table.add_row("entries", str(stats.entries))
    table.add_row("size", f"{stats.size_bytes / 1024:.1f} KiB")
    table.add_row("oldest", _when(stats.oldest))
    table.add_row("newest", _when(stats.newest))
    for model, count in stats.by_model.items():
        table.add_row(model, str(count))
    return table


def _when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(timestamp)) if timestamp else "-"


@cache_group.command("clear")
@click.option(
    "--older-than",
    "older_than",
    type=click.FloatRange(min=0),
    default=None,
    metavar="DAYS",
    help="Delete only answers cached more than DAYS days ago.",
)
@pass_workspace
def clear_command(ws: Workspace, older_than: float | None) -> None:
    """Delete cached answers: all of them, or those older than --older-than DAYS."""
    from promptops.llm.cache import clear_cache

    removed = clear_cache(ws.config, older_than)
    click.echo(f"removed {removed} cached answer{'s' if removed != 1 else ''}")
