"""DC-09 over TCP (and TLS): one receiver per connection, replies written in frame order.

Panels either open a connection per message or keep one open and pipeline; both work. The
reader stops reading while the ingest queue is full (TCP pushes back on the panels); the writer
waits for each frame's reply in turn, so an ACK never overtakes the frame before it, and writes
each reply in one ``write`` (some senders read the answer with a single ``recv``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl

import msgspec

from device_gateway.gateway import Dc09Gateway, Reply
from device_gateway.ingest import Source
from device_gateway.transports.streams import (
    DEFAULT_IDLE_TIMEOUT_S,
    IdleWatch,
    StreamLimits,
    TcpListener,
    peer_name,
    serve_streams,
)

logger = logging.getLogger(__name__)


async def serve_tcp(
    gateway: Dc09Gateway,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
    limits: StreamLimits | None = None,
) -> TcpListener:
    """``limits`` (default :class:`StreamLimits`) with ``idle_timeout_s`` in place of its own."""
    limits = msgspec.structs.replace(limits or StreamLimits(), idle_timeout_s=idle_timeout_s)
    pump = functools.partial(_pump, gateway, "tls" if ssl_context is not None else "tcp")
    return await serve_streams(pump, host, port, ssl_context=ssl_context, limits=limits)


async def _pump(
    gateway: Dc09Gateway,
    transport: str,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    idle: IdleWatch,
) -> None:
    peer = writer.get_extra_info("peername")
    source = Source(transport=transport, peer=peer_name(peer))
    receiver = gateway.open_stream()
    replies: asyncio.Queue[Reply | None] = asyncio.Queue()
    sender = asyncio.create_task(_send_replies(replies, writer, idle))
    stopping = False
    try:
        while not sender.done():
            await gateway.wait_for_room(source.host)  # this source's share, or the queue
            data = await idle.read(reader, writer)
            for reply in gateway.feed(receiver, data, source):  # data first, then EOF
                replies.put_nowait(reply)
            if not data:
                break
    except OSError as err:
        logger.debug("DC-09 connection from %s ends: %r", source.peer, err)
    except asyncio.CancelledError:
        stopping = True  # the commits the sender would wait for may never come
        raise
    finally:
        replies.put_nowait(None)
        try:
            if not stopping:
                await asyncio.shield(sender)  # the ACKs of stored frames still go out
        except asyncio.CancelledError:
            stopping = True
            raise
        finally:
            if stopping:  # shutting down: whatever is not ACKed yet is resent
                sender.cancel()
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()


async def _send_replies(
    replies: asyncio.Queue[Reply | None], writer: asyncio.StreamWriter, idle: IdleWatch
) -> None:
    while (reply := await replies.get()) is not None:
        data = await reply.ready
        if data:
            await idle.send(writer, data)
        if reply.hang_up:
            writer.close()  # the reader sees EOF and stops; later frames get no reply
            return
