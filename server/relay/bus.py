"""The bus only wakes sockets: it carries stream names, never events (the outbox has those).

`InProcessBus` serves one process. A deployment with several nodes swaps in a Redis
(`redis_bus`) or PostgreSQL LISTEN/NOTIFY (`pg_bus`) bus behind the same two methods.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

Listener = Callable[[frozenset[str]], None]
Reader = Callable[[], Awaitable[None]]
SEPARATOR: Final = "\n"
"""Between stream names in a message of the cluster buses."""


class Bus(abc.ABC):
    @abc.abstractmethod
    def ring(self, streams: frozenset[str]) -> None:
        """Tell every node that these streams have new committed events."""

    @abc.abstractmethod
    def listen(self, listener: Listener) -> None:
        """Call `listener` with stream names whenever any node rings."""

    async def start(self) -> None:  # noqa: B027  (optional hook: most buses need no set-up)
        """Connect, where the bus has something to connect to."""

    def readers(self) -> dict[str, Reader]:
        """The loops that must run while the bus is open (what hears the other nodes), by name,
        for the server to run and supervise; none for a bus that hears only this process."""
        return {}

    async def close(self) -> None:  # noqa: B027  (optional hook)
        """Disconnect."""

    async def reachable(self) -> bool:
        """Whether rings reach the other nodes now (for readiness)."""
        return True


class InProcessBus(Bus):
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def ring(self, streams: frozenset[str]) -> None:
        for listener in self._listeners:
            listener(streams)

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)


class ClusterBus(InProcessBus):
    """What the Redis and PostgreSQL buses add to the in-process one: a ring is also published
    to the other nodes through `_publish`, in the background (a ring never waits on the
    network; a lost one costs latency, since every hub reconciles stored stream heads)."""

    def __init__(self) -> None:
        super().__init__()
        self._sends: set[asyncio.Task[None]] = set()

    def _heard(self, payload: str) -> None:
        """A message from another node (or our own, echoed back)."""
        super().ring(frozenset(payload.split(SEPARATOR)))

    def ring(self, streams: frozenset[str]) -> None:
        super().ring(streams)  # this node's sockets need no round trip
        task = asyncio.create_task(self._publish(SEPARATOR.join(sorted(streams))))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    @abc.abstractmethod
    async def _publish(self, payload: str) -> None:
        """Send the stream names to the other nodes; log and return on failure."""

    async def _finish_sends(self) -> None:
        await asyncio.gather(*self._sends, return_exceptions=True)
