"""The relay hub: reads each stream's new outbox rows once and hands them to every socket on it.

Theory of operation. A socket registers its `Subscriber` *before* it reads the stream head and
replays, so nothing committed after that moment can slip past it; anything it receives twice it
drops by `seq`, and any hole it sees it fills from the database. The hub keeps, per stream with
subscribers, the last sequence it has fetched; a doorbell from the bus makes it fetch what is
newer, once for all sockets. Each subscriber has a bounded queue: when it is full the socket is
too slow, the queue is replaced by an OVERFLOW marker and the socket is closed — the tablet
reconnects later with its `last_seq` and loses nothing, and the others never wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from server.db import Database
from server.relay import outbox
from server.relay.outbox import StoredEvent

logger = logging.getLogger(__name__)

MAX_FETCH_PAGE: Final = 500
OVERFLOW: Final = StoredEvent(seq=-1, type="overflow", data="null")


class Subscriber:
    def __init__(self, stream: str, queue_max: int) -> None:
        self.stream = stream
        self.queue: asyncio.Queue[StoredEvent] = asyncio.Queue(maxsize=queue_max)
        self.overflowed = False

    def offer(self, event: StoredEvent) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(OVERFLOW)


class RelayHub:
    def __init__(self, db: Database, queue_max: int) -> None:
        self._db = db
        self._queue_max = queue_max
        # One page must fit a healthy socket's queue twice over, or a burst alone would look slow.
        self._page = max(1, min(MAX_FETCH_PAGE, queue_max // 2))
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._fetched: dict[str, int] = {}
        self._pending: set[str] = set()
        self._wake = asyncio.Event()

    def ring(self, streams: frozenset[str]) -> None:
        self._pending |= streams
        self._wake.set()

    async def subscribe(self, stream: str) -> Subscriber:
        subscriber = Subscriber(stream, self._queue_max)
        self._subscribers.setdefault(stream, set()).add(subscriber)
        if stream not in self._fetched:
            self._fetched[stream] = await outbox.head(self._db, stream)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        listeners = self._subscribers.get(subscriber.stream)
        if listeners is None:
            return
        listeners.discard(subscriber)
        if not listeners:
            del self._subscribers[subscriber.stream]
            self._fetched.pop(subscriber.stream, None)

    def subscriber_count(self) -> int:
        return sum(len(listeners) for listeners in self._subscribers.values())

    async def reconcile(self) -> None:
        """Ring every subscribed stream whose stored head is past what we fetched: the safety net
        for a doorbell that another node rang while the bus was down."""
        if not self._subscribers:
            return
        heads = await outbox.heads(self._db)
        behind = {s for s in self._subscribers if heads.get(s, 0) > self._fetched.get(s, 0)}
        if behind:
            self.ring(frozenset(behind))

    async def reconcile_forever(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.reconcile()
            except Exception:  # the next round tries again; the bus still works meanwhile
                logger.exception("relay could not compare stream heads")

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            streams, self._pending = self._pending, set()
            for stream in streams:
                try:
                    await self._pump(stream)
                except Exception:  # a failed read must not stop every other stream
                    logger.exception("relay could not read stream %s", stream)
                    self.ring(frozenset({stream}))
                    await asyncio.sleep(0.5)

    async def _pump(self, stream: str) -> None:
        while stream in self._subscribers:
            after = self._fetched.get(stream)
            if after is None:  # the first subscriber is still reading the head; it fills gaps
                return
            events = await outbox.read_after(self._db, stream, after, self._page)
            if not events or stream not in self._fetched:
                return
            self._fetched[stream] = events[-1].seq
            for subscriber in list(self._subscribers.get(stream, ())):
                for event in events:
                    subscriber.offer(event)
            if len(events) < self._page:
                return
            await asyncio.sleep(0)  # let the sockets drain this page before the next
