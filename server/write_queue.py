"""Whose turn it is to write on SQLite: one writer at a time, and bulk work goes last.

SQLite has one writer, so `Database.write()` queues writers in the process. A plain FIFO lock
lets an import that writes batch after batch take turns with an alarm commit: the alarm waits
for every batch queued before it. Here a writer is either *urgent* (every ordinary write: alarm
commits, dispatcher actions, pushes) or *bulk* (imports and compaction, which write in many small
batches). The lock is handed over directly on release, to the longest-waiting urgent writer if
there is one, else to the longest-waiting bulk writer, so a bulk batch never starts while an
urgent writer waits, and no newcomer can slip in between release and hand-over. Bulk work also
asks `urgent_waiting()` between rows so that it can end its batch early.

A waiter cancelled after the lock was handed to it passes the lock on, so a cancelled request
never strands the writers behind it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib


class WriteQueue:
    """An asyncio lock with two classes of waiters: urgent before bulk, FIFO within each."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: collections.deque[asyncio.Future[None]] = collections.deque()
        self._bulk: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def held(self) -> bool:
        return self._held

    def urgent_waiting(self) -> bool:
        """Whether an urgent writer is waiting for the lock now."""
        return any(not waiter.done() for waiter in self._urgent)

    async def acquire(self, *, bulk: bool = False) -> None:
        if not self._held:
            self._held = True
            return
        waiters = self._bulk if bulk else self._urgent
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # it was handed to us as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # release() may have dropped it already
                    waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Hand the lock to the next waiter (it stays held), or free it if nobody waits."""
        if not self._held:
            raise RuntimeError("WriteQueue.release() without acquire()")
        for waiters in (self._urgent, self._bulk):
            while waiters:
                waiter = waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._held = False
