"""The durable path as trackers, phones and IoT adapters see it: submit, wait, then answer.

Stream protocols go through the gateway (replies in message order, refusals, rate limits,
supervision); a request-and-answer adapter (OsmAnd and IoT webhooks over HTTP, MQTT) needs only
this: hand a :class:`~device_gateway.signals.Received` to the shared :class:`IngestPipeline` and
learn whether it is committed, so the transport answers (HTTP 200) only after the commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from device_gateway.ingest import IngestOutcome, IngestPipeline, Source
from device_gateway.signals import Received

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Intake:
    def __init__(
        self, pipeline: IngestPipeline, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._pipeline = pipeline
        self.clock = clock

    async def wait_for_room(self, host: str | None = None) -> None:
        """Return when the queue takes more (from ``host``'s share too, when given)."""
        await self._pipeline.wait_for_room(host)

    def submit(self, received: Received, source: Source) -> asyncio.Future[IngestOutcome]:
        return self._pipeline.submit(received, source)

    async def store(self, received: Received, source: Source) -> bool:
        """True once committed (or known to be a retransmission); False if the store failed."""
        try:
            await self._pipeline.submit(received, source)
        except Exception as err:  # noqa: BLE001  (any store failure: answer nothing, device resends)
            logger.debug("signal from %s not stored: %r", source.peer, err)
            return False
        return True
