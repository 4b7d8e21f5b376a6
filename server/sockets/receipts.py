"""A crew socket's acks become delivery receipts: coalesced into few writes, none lost.

server/sockets/pacing.py has the theory (`Receipts`): an ack of N covers every event up to N, and
the receipts of the dispatches it covers are written at once if the last write is at least
`RECEIPT_INTERVAL_S` old, else by `write_late_forever` when the interval is over, and in any case
by `write_last` as the socket ends. Writes take turns (a lock), and a receipt is struck off only
once stored, so one cut short by the socket ending is written by the last write.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Final

from prometheus_client import Counter

from server.auth.schemas import Principal
from server.db import Database
from server.incidents import service as incidents
from server.relay.outbox import StoredEvent
from server.sockets.pacing import Receipts

logger = logging.getLogger(__name__)

DISPATCH_EVENT: Final = "dispatch"
"""The one event type a delivery receipt is stored for (incidents.record_delivery)."""


class ReceiptWriter:
    def __init__(self, db: Database, principal: Principal, writes: Counter) -> None:
        self._db = db
        self._principal = principal
        self._writes = writes
        self.book = Receipts()
        self._keeps_receipts = principal.crew_id is not None  # dispatchers' acks store nothing
        self._waiting = asyncio.Event()
        self._writing = asyncio.Lock()

    def sent(self, event: StoredEvent) -> None:
        self.book.sent(event.seq, is_dispatch=self._keeps_receipts and event.type == DISPATCH_EVENT)

    async def acked(self, seq: int) -> None:
        """Note the ack; write what it makes owed now, or leave it to `write_late_forever`."""
        self.book.acked(seq)
        if not self.book.owed():
            return
        if self.book.due(time.monotonic()):
            await self.write()
        else:
            self._waiting.set()

    async def write_late_forever(self) -> None:
        """Write the receipts that waited, once their interval is over."""
        while True:
            await self._waiting.wait()
            self._waiting.clear()
            await asyncio.sleep(self.book.wait_s(time.monotonic()))
            await self.write()

    async def write(self) -> None:
        """Write every owed receipt, one at a time."""
        async with self._writing:
            owed = self.book.owed()
            if owed:
                self.book.writing(time.monotonic())
            for seq in owed:
                await incidents.record_delivery(self._db, self._principal, seq)
                self.book.written(seq)
                self._writes.inc()

    async def write_last(self) -> None:
        """However the socket ended, the acks it received become receipts."""
        try:
            await self.write()
        except Exception:  # the socket is gone either way; say what was not stored
            logger.exception("could not store the delivery receipts of %s", self._principal.actor)
