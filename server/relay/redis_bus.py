"""A bus over Redis pub/sub for several nodes sharing one PostgreSQL database.

It carries only stream names. A message lost while Redis is away costs latency, not data: every
node's hub also compares the stored stream heads with what it has sent, every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import redis.asyncio as redis
from redis.exceptions import RedisError

from server.relay.bus import Bus, ClusterBus, Reader

logger = logging.getLogger(__name__)

CHANNEL: Final = "posbon:streams"
RECONNECT_DELAY_S: Final = 1.0
PING_TIMEOUT_S: Final = 2.0


class RedisBus(ClusterBus):
    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._client: redis.Redis | None = None

    async def _publish(self, payload: str) -> None:
        if self._client is None:
            return
        try:
            await self._client.publish(CHANNEL, payload)
        except RedisError as err:
            logger.warning(
                "bus: could not publish to Redis (%s); other nodes catch up by polling", err
            )

    async def start(self) -> None:
        self._client = redis.from_url(self._url)

    def readers(self) -> dict[str, Reader]:
        return {"redis-bus": self._read_forever}

    async def _read_forever(self) -> None:
        assert self._client is not None
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._heard(message["data"].decode())
            except RedisError as err:
                logger.warning("bus: Redis subscription lost (%s); retrying", err)
                await asyncio.sleep(RECONNECT_DELAY_S)

    async def reachable(self) -> bool:
        if self._client is None:
            return False
        try:
            return bool(await asyncio.wait_for(self._client.ping(), PING_TIMEOUT_S))
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        await self._finish_sends()
        if self._client is not None:
            await self._client.aclose()


def make_bus(url: str) -> Bus:
    """The bus a `bus_url` setting names: empty for in-process, `redis://…` for Redis,
    `postgresql://…` for PostgreSQL LISTEN/NOTIFY."""
    from server.relay.bus import InProcessBus  # noqa: PLC0415
    from server.relay.pg_bus import PostgresBus  # noqa: PLC0415

    if not url:
        return InProcessBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresBus(url)
    raise ValueError(
        f"unsupported bus_url {url!r}: use redis://host:port, postgresql://…, or leave it empty"
    )
