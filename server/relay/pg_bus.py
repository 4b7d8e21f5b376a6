"""A bus over PostgreSQL LISTEN/NOTIFY, for clusters that would rather not run Redis.

Like the Redis bus it carries only stream names, and a ring lost while the connection is down
costs latency, not data: every node's hub reconciles stored stream heads on its own. One
connection of its own listens and publishes (NOTIFY from a pooled connection would do too, but
would take a connection from the request path for every commit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

import asyncpg

from server.relay.bus import ClusterBus, Reader

logger = logging.getLogger(__name__)

CHANNEL: Final = "posbon_streams"
RECONNECT_DELAY_S: Final = 1.0
QUERY_TIMEOUT_S: Final = 5.0
PING_EVERY_S: Final = 5.0


class PostgresBus(ClusterBus):
    def __init__(self, dsn: str) -> None:
        super().__init__()
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._send_lock = asyncio.Lock()

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        self._heard(str(payload))

    async def _publish(self, payload: str) -> None:
        connection = self._connection
        if connection is None or connection.is_closed():
            return
        try:
            async with self._send_lock:  # one statement at a time on one connection
                await connection.execute(
                    "SELECT pg_notify($1, $2)", CHANNEL, payload, timeout=QUERY_TIMEOUT_S
                )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
            logger.warning("bus: could not NOTIFY (%r); other nodes catch up by polling", err)

    def readers(self) -> dict[str, Reader]:
        return {"pg-bus": self._stay_connected}

    async def _stay_connected(self) -> None:
        while True:
            try:
                self._lost.clear()
                connection = await asyncpg.connect(self._dsn, timeout=QUERY_TIMEOUT_S)
                connection.add_termination_listener(lambda _: self._lost.set())
                await connection.add_listener(CHANNEL, self._notified)
                self._connection = connection
                while not self._lost.is_set() and await self.reachable():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._lost.wait(), PING_EVERY_S)
                logger.warning("bus: PostgreSQL LISTEN connection lost; reconnecting")
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                logger.warning("bus: cannot LISTEN on PostgreSQL (%r); retrying", err)
            stale, self._connection = self._connection, None
            if stale is not None:
                stale.terminate()
            await asyncio.sleep(RECONNECT_DELAY_S)

    async def reachable(self) -> bool:
        connection = self._connection
        if connection is None or connection.is_closed():
            return False
        try:
            async with self._send_lock:
                await connection.fetchval("SELECT 1", timeout=QUERY_TIMEOUT_S)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    async def close(self) -> None:
        await self._finish_sends()
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=QUERY_TIMEOUT_S)
            connection.terminate()
