"""Options shared by every command that calls a model, so they read the same everywhere.

@main.command("eval")
@no_cache_option
@budget_options
@pass_workspace
def eval_command(ws, no_cache, budget_calls, budget_usd, ...):
    budget = budget_from_options(budget_calls, budget_usd)
    with saving_raw_replies(ws):
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from promptops.cli.workspace import Workspace

if TYPE_CHECKING:
    from promptops.llm.budget import Budget

F = TypeVar("F", bound=Callable[..., Any])
RAW_REPLY_FOLDER = ".promptops/failed-replies"


def no_cache_option(command: F) -> F:
    """`--no-cache`: call the model even when the response cache holds an answer."""
    return click.option(
        "--no-cache",
        is_flag=True,
        help="Call the model even when the response cache holds an answer; nothing is read from or "
        "stored in the cache.",
    )(command)


def budget_options(command: F) -> F:
    """`--budget-calls N` and `--budget-usd X`: stop before a call that would pass them."""
    command = click.option(
        "--budget-usd",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        help="Stop before a model call that could take spending past this many US dollars.",
    )(command)
    return click.option(
        "--budget-calls",
        type=click.IntRange(min=1),
        default=None,
        help="Stop before making more than this many model calls (cached answers are free).",
    )(command)


def budget_from_options(
    budget_calls: int | None, budget_usd: float | None, defaults: Mapping[str, Any] | None = None
) -> Budget | None:
    """A Budget from the options, each falling back to `defaults` (e.g. the config's
    `optimizer.budget`: {calls, usd}); None when neither sets any limit."""
    from promptops.llm.budget import Budget

    calls = budget_calls if budget_calls is not None else (defaults or {}).get("calls")
    usd = budget_usd if budget_usd is not None else (defaults or {}).get("usd")
    if calls is None and usd is None:
        return None
    return Budget(max_calls=calls, max_usd=usd)


@contextmanager
def saving_raw_replies(ws: Workspace) -> Iterator[None]:
    """Save the raw reply of a failed structured call and name the file in the error line."""
    from promptops.llm.errors import StructuredOutputError
    from promptops.llm.structured import save_raw_reply

    try:
        yield
    except StructuredOutputError as exc:
        path = save_raw_reply(exc, ws.root / RAW_REPLY_FOLDER)
        raise StructuredOutputError(f"{exc}; the raw reply is saved in {path}", exc.raw_text) from None
