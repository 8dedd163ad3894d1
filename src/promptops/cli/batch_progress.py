"""How a command shows Message Batches while it waits for them (stderr, never stdout).

A line when the counts change, otherwise one every few minutes, so an hour-long wait does
not flood a CI log. Whole lines only: on a terminal the eval progress bar (rich) prints
them above itself.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from promptops.llm.batches import BatchProgress

QUIET_LOG_S = 300.0


def describe(progress: BatchProgress) -> str:
    """`2 batches (msgbatch_01, msgbatch_02): 20000 requests, 1200 processing, 18800 succeeded, 3m elapsed`"""
    ids = ", ".join(progress.batch_ids[:3]) + (", ..." if len(progress.batch_ids) > 3 else "")
    counts = ", ".join(f"{n} {name}" for name, n in progress.counts.items() if n)
    resumed = f" ({progress.resumed} resumed from an earlier run)" if progress.resumed else ""
    minutes, seconds = divmod(int(progress.elapsed_s), 60)
    plural = "es" if len(progress.batch_ids) != 1 else ""
    return (
        f"message batch{plural} {ids}: {progress.requests} requests{resumed}; {counts or 'no counts yet'}; "
        f"{minutes}m{seconds:02d}s elapsed"
    )


@contextmanager
def batch_progress(stream: TextIO | None = None) -> Iterator[Callable[[BatchProgress], None]]:
    """A callback for `client_from_config(on_batch=...)` that writes to stderr."""
    out = stream or sys.stderr
    last_counts: dict[str, int] | None = None
    last_at = 0.0

    def show(progress: BatchProgress) -> None:
        nonlocal last_counts, last_at
        now = time.monotonic()
        if progress.counts != last_counts or now - last_at >= QUIET_LOG_S:
            out.write(describe(progress) + "\n")
            out.flush()
            last_counts, last_at = dict(progress.counts), now

    yield show
