"""The device listeners while the node runs: the tracker ports (OsmAnd HTTP, GT06, Teltonika,
MQTT buttons) and the DC-09 receiver. Each binds all its ports before it starts a part, so a
taken port stops the start with nothing running yet."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Final

from server.signals.gateway import running_gateway
from server.signals.trackers import running_trackers
from server.state import AppState

DC09: Final = "dc09"
"""The DC-09 receiver's name among the device ports, as in device_gateway.registry."""


@contextlib.asynccontextmanager
async def listening(state: AppState) -> AsyncIterator[Mapping[str, int]]:
    """Bind and run every device listener until the block ends; yields the bound ports by
    protocol name (``dc09``, ``osmand`` for the device HTTP port, ``gt06`` …)."""
    async with running_trackers(state) as trackers, running_gateway(state) as gateway:
        yield {**trackers.ports, DC09: gateway.port}
