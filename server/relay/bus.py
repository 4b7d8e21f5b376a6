"""The bus only wakes sockets: it carries stream names, never events (the outbox has those).

`InProcessBus` serves one process. A deployment with several nodes swaps in a Redis
(`redis_bus`) or PostgreSQL LISTEN/NOTIFY (`pg_bus`) bus behind the same two methods.
"""

from __future__ import annotations

import abc
from collections.abc import Callable

Listener = Callable[[frozenset[str]], None]


class Bus(abc.ABC):
    @abc.abstractmethod
    def ring(self, streams: frozenset[str]) -> None:
        """Tell every node that these streams have new committed events."""

    @abc.abstractmethod
    def listen(self, listener: Listener) -> None:
        """Call `listener` with stream names whenever any node rings."""

    async def start(self) -> None:  # noqa: B027  (optional hook: most buses need no set-up)
        """Connect, where the bus has something to connect to."""

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
