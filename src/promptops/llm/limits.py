"""One concurrency limit per provider, shared by everything in the process.

`asyncio.Semaphore` belongs to the event loop that first waits on it, but a process may
run several loops (the CLI's sync wrapper calls `asyncio.run` more than once, a test
runs a loop per test, a thread may run its own). `ProcessLimit` keeps its count under a
`threading.Lock` and parks each waiter on a future of the waiter's own loop, woken with
`call_soon_threadsafe`, so the limit holds across all of them. Calls beyond it wait in
arrival order; none is dropped.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

_Waiter = tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]


class ProcessLimit:
    """At most `size` holders at once across every event loop and thread of the process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.in_use = 0
        self._waiters: deque[_Waiter] = deque()
        self._lock = threading.Lock()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.release()

    async def acquire(self) -> None:
        with self._lock:
            if self.in_use < self.size and not self._waiters:
                self.in_use += 1
                return
            loop = asyncio.get_running_loop()
            waiter: _Waiter = (loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            await waiter[1]
        except asyncio.CancelledError:
            self._abandon(waiter)
            raise

    def release(self) -> None:
        with self._lock:
            self.in_use -= 1
            self._grant_free_slots()

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = size
            self._grant_free_slots()

    def _grant_free_slots(self) -> None:
        # Called with the lock held: hand free slots to waiters in arrival order.
        # A waiter of the running loop (the usual case: one loop, the next call waiting for
        # this one's slot) is woken directly; another loop's through its self-pipe.
        while self._waiters and self.in_use < self.size:
            loop, future = self._waiters.popleft()
            if loop is asyncio._get_running_loop():
                if future.done():  # cancelled while waiting: its task gives up, the slot goes on
                    continue
                future.set_result(None)
            else:
                try:
                    loop.call_soon_threadsafe(self._wake, future)
                except RuntimeError:  # that loop is closed; its waiter is gone
                    continue
            self.in_use += 1

    def _wake(self, future: asyncio.Future[None]) -> None:
        if future.cancelled():  # cancelled after the slot was handed over: pass it on
            self.release()
        elif not future.done():
            future.set_result(None)

    def _abandon(self, waiter: _Waiter) -> None:
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return
        if not waiter[1].cancelled():  # the slot was granted just before the cancel
            self.release()


_LIMITS: dict[tuple[str, str | None], ProcessLimit] = {}
_LIMITS_LOCK = threading.Lock()


def shared_limit(provider_name: str, base_url: str | None, size: int) -> ProcessLimit:
    """The process's limit for this provider endpoint; the latest configured size applies."""
    key = (provider_name, base_url)
    with _LIMITS_LOCK:
        limit = _LIMITS.get(key)
        if limit is None:
            limit = _LIMITS[key] = ProcessLimit(size)
        elif limit.size != size:
            limit.resize(size)
        return limit
