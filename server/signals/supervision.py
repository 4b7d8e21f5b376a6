"""Device supervision among several receivers: one node decides who went silent.

Every node hears only the frames sent to it, and a panel may talk to any receiver. The node
holding the "supervision" lease looks for silences; before it does, and on every tick after, it
reads the last message time every node stored for each device (``devices.last_seen_at``) and
counts it as heard. A node that takes the lease over starts from the stored link states, so a
device that another node declared offline is restored by its next message. Returns are recorded
by whichever node receives the message; a change another node already stored is not reported
twice (the repository's conditional update).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from device_gateway.gateway import Gateway
from server.db import Database
from server.signals import repository
from server.signals.accounts import AccountCache

logger = logging.getLogger(__name__)


class LeadSupervision:
    def __init__(
        self, db: Database, gateway: Gateway, accounts: AccountCache, tick_s: float
    ) -> None:
        self._db = db
        self._gateway = gateway
        self._accounts = accounts
        self._tick_s = tick_s
        self._leading = False

    def may_expire(self) -> bool:
        """The gateway's predicate: only the lead, once caught up, declares silences."""
        return self._leading

    async def lead(self) -> None:
        """The lease's work: take over from the stored states, then keep up with other nodes."""
        try:
            self._gateway.watch(await self._accounts.refresh(), reset=True)
            since = dt.datetime.min.replace(tzinfo=dt.UTC)
            while True:
                since = await self._catch_up(since)
                self._leading = True
                await asyncio.sleep(self._tick_s)
        finally:
            self._leading = False

    async def _catch_up(self, since: dt.datetime) -> dt.datetime:
        newest = since
        for account, at in await repository.heard_since(self._db, since):
            self._gateway.heard(account, at)
            newest = max(newest, at)
        return newest
