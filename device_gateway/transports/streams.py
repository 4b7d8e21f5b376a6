"""What the stream listeners (DC-09, GT06, device HTTP) share: accepting, tracking and idling out
connections. Each protocol supplies only its ``pump`` (read, feed the sans-I/O side, write)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Final

logger = logging.getLogger(__name__)

READ_BYTES: Final = 65_536
ACCEPT_BACKLOG: Final = 4096
"""Thousands of panels reconnect at once after a power cut; asyncio's default of 100 drops
their SYNs while the loop is busy (the kernel caps this at net.core.somaxconn)."""
DEFAULT_IDLE_TIMEOUT_S: Final = 600.0
"""A connection silent this long is closed; panels that keep one open poll far more often."""


class IdleWatch:
    """Closes connections that have been silent too long: one sweep per listener rather than a
    timer per read (under an alarm storm, rescheduling a timeout on every read costs the loop
    more than the read itself)."""

    def __init__(self, idle_timeout_s: float) -> None:
        self._idle_timeout_s = idle_timeout_s
        self._last_read_s: dict[asyncio.StreamWriter, float] = {}

    def touch(self, writer: asyncio.StreamWriter) -> None:
        """The connection is about to wait for its peer: its silence counts from now."""
        self._last_read_s[writer] = time.monotonic()

    def forget(self, writer: asyncio.StreamWriter) -> None:
        self._last_read_s.pop(writer, None)

    async def run(self) -> None:
        sweep_every_s = min(self._idle_timeout_s / 4, 30.0)
        while True:
            await asyncio.sleep(sweep_every_s)
            silent_since_s = time.monotonic() - self._idle_timeout_s
            for writer, last_read_s in list(self._last_read_s.items()):
                if last_read_s < silent_since_s:
                    logger.debug("closing a connection idle for %.0f s", self._idle_timeout_s)
                    self.forget(writer)
                    writer.close()  # its reader sees EOF and the pump ends


class ListenerStopped(RuntimeError):
    """A listener stopped serving although nobody closed it."""


Pump = Callable[[asyncio.StreamReader, asyncio.StreamWriter, IdleWatch], Awaitable[None]]


class TcpListener:
    """A listening socket and its connections; ``close`` ends both."""

    def __init__(
        self,
        server: asyncio.Server,
        connections: set[asyncio.Task[None]],
        idle_sweep: asyncio.Task[None],
    ) -> None:
        self._server = server
        self._connections = connections
        self._idle_sweep = idle_sweep

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1])

    async def serve_until_failed(self) -> None:
        """Wait while the listener serves; raise if its idle sweep fails (the only part of a
        listener that can: accepting is the event loop's). Cancelling closes the listener."""
        try:
            await self._idle_sweep
        finally:
            await self.close()
        raise ListenerStopped("the listener's idle sweep ended")

    async def close(self) -> None:
        self._server.close()
        self._idle_sweep.cancel()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(self._idle_sweep, *self._connections, return_exceptions=True)
        await self._server.wait_closed()


async def serve_streams(
    pump: Pump,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
) -> TcpListener:
    connections: set[asyncio.Task[None]] = set()
    idle = IdleWatch(idle_timeout_s)

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        try:
            await pump(reader, writer, idle)
        except asyncio.CancelledError:
            pass  # closed at shutdown; asyncio would log a cancelled connection task as an error
        finally:
            connections.discard(task)
            idle.forget(writer)
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    server = await asyncio.start_server(
        connection, host, port, ssl=ssl_context, backlog=ACCEPT_BACKLOG
    )
    return TcpListener(server, connections, asyncio.create_task(idle.run()))


def peer_name(peer: object) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


Bind = Callable[[int], Awaitable[TcpListener]]


class Rebinding:
    """A stream listener as a supervised part: the first :meth:`run` serves the listener bound at
    start-up (so a taken port stops the server before anything runs); every later run, after a
    failure, binds the same port again."""

    def __init__(self, first: TcpListener, bind: Bind) -> None:
        self._first: TcpListener | None = first
        self._bind = bind
        self.port = first.port

    async def run(self) -> None:
        listener, self._first = self._first, None
        if listener is None:
            listener = await self._bind(self.port)
        await listener.serve_until_failed()

    async def close(self) -> None:
        """Close the start-up listener if no run took it over (a run closes its own)."""
        if self._first is not None:
            await self._first.close()
            self._first = None
