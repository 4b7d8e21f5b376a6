"""The sender: sends the notices that are due, one channel call each, and records the result.

It runs on one node of a cluster at a time (the `notify` lease, server/notify/lifespan.py).
Each notice is claimed first (a conditional UPDATE that counts the attempt and holds the notice
for `HOLD_S`), so a second sender never sends it too, and a sender that dies mid-send leaves it
to be sent again once the hold ends: a notice may go out twice, never not at all.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Final

from server.db import Database
from server.notify import repository, service
from server.notify.channels import ChannelDown, NoticeChannel, Rejected
from server.notify.retry import Backoff
from server.notify.schemas import Channel, Notice

logger = logging.getLogger(__name__)

HOLD_S: Final = 120.0
"""Longer than any one send may take (the channels time out well before)."""
BATCH: Final = 50


class Sender:
    def __init__(
        self, db: Database, channels: Mapping[Channel, NoticeChannel], backoff: Backoff
    ) -> None:
        self._db = db
        self._channels = channels
        self._backoff = backoff

    async def send_due(self, now: dt.datetime) -> int:
        """Try every notice due by `now`; the number tried."""
        tried = 0
        for notice in await repository.due(self._db, now, BATCH):
            hold_until = now + dt.timedelta(seconds=HOLD_S)
            if not await repository.claim(self._db, notice.id, now, hold_until):
                continue
            tried += 1
            claimed = await repository.get(self._db, notice.id)
            if claimed is not None:
                await self._send(claimed)
        return tried

    async def _send(self, notice: Notice) -> None:
        channel = self._channels.get(notice.channel)
        if channel is None:
            why = f"{notice.channel.value} is not configured on the node that sends"
            await service.retry_later(self._db, notice, why, self._backoff)
            return
        try:
            result = await channel.send(notice.body, notice.address)
        except ChannelDown as err:
            await service.retry_later(self._db, notice, str(err), self._backoff)
        except Rejected as err:
            logger.warning("notice %s refused by %s: %s", notice.id, notice.channel.value, err)
            await service.failed(self._db, notice, str(err))
        else:
            await service.sent(self._db, notice, result)

    async def run_forever(self, poll_s: float) -> None:
        while True:
            try:
                await self.send_due(dt.datetime.now(dt.UTC))
            except Exception:  # the loop must outlive one bad row or one failed write
                logger.exception("sending notices failed")
            await asyncio.sleep(poll_s)
