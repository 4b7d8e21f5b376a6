"""DC-09 over TCP (and TLS): one receiver per connection, replies written in frame order.

Panels either open a connection per message or keep one open and pipeline; both work. The
reader stops reading while the ingest queue is full (TCP pushes back on the panels); the writer
waits for each frame's reply in turn, so an ACK never overtakes the frame before it, and writes
each reply in one ``write`` (some senders read the answer with a single ``recv``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import Final

from device_gateway.gateway import Dc09Gateway, Reply
from device_gateway.ingest import Source

logger = logging.getLogger(__name__)

READ_BYTES: Final = 65_536
ACCEPT_BACKLOG: Final = 4096
"""Thousands of panels reconnect at once after a power cut; asyncio's default of 100 drops
their SYNs while the loop is busy (the kernel caps this at net.core.somaxconn)."""
DEFAULT_IDLE_TIMEOUT_S: Final = 600.0
"""A connection silent this long is closed; panels that keep one open poll far more often."""


class TcpListener:
    """A listening socket and its connections; ``close`` ends both."""

    def __init__(self, server: asyncio.Server, connections: set[asyncio.Task[None]]) -> None:
        self._server = server
        self._connections = connections

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()


async def serve_tcp(
    gateway: Dc09Gateway,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
) -> TcpListener:
    transport = "tls" if ssl_context is not None else "tcp"
    connections: set[asyncio.Task[None]] = set()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        try:
            await _pump(gateway, reader, writer, transport, idle_timeout_s)
        except asyncio.CancelledError:
            pass  # closed at shutdown; asyncio would log a cancelled connection task as an error
        finally:
            connections.discard(task)

    server = await asyncio.start_server(
        connection, host, port, ssl=ssl_context, backlog=ACCEPT_BACKLOG
    )
    return TcpListener(server, connections)


async def _pump(
    gateway: Dc09Gateway,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    transport: str,
    idle_timeout_s: float,
) -> None:
    peer = writer.get_extra_info("peername")
    source = Source(transport=transport, peer=_peer_name(peer))
    receiver = gateway.open_stream()
    replies: asyncio.Queue[Reply | None] = asyncio.Queue()
    sender = asyncio.create_task(_send_replies(replies, writer))
    try:
        while not sender.done():
            await gateway.wait_for_room()
            async with asyncio.timeout(idle_timeout_s):  # no task per read, unlike wait_for
                data = await reader.read(READ_BYTES)
            for reply in gateway.feed(receiver, data, source):  # data first, then EOF
                replies.put_nowait(reply)
            if not data:
                break
    except (TimeoutError, OSError) as err:
        logger.debug("DC-09 connection from %s ends: %r", source.peer, err)
    finally:
        replies.put_nowait(None)
        try:
            await asyncio.shield(sender)  # the ACKs of stored frames still go out
        except asyncio.CancelledError:  # shutting down: whatever is not ACKed yet is resent
            sender.cancel()
            raise
        finally:
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()


async def _send_replies(replies: asyncio.Queue[Reply | None], writer: asyncio.StreamWriter) -> None:
    while (reply := await replies.get()) is not None:
        data = await reply.ready
        if data and not writer.is_closing():
            writer.write(data)
            with contextlib.suppress(OSError):
                await writer.drain()
        if reply.hang_up:
            writer.close()  # the reader sees EOF and stops; later frames get no reply
            return


def _peer_name(peer: object) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)
