"""Every stream protocol over TCP (and TLS): one pump, whatever the protocol.

The pump knows no protocol: it opens the gateway's connection state for the socket, feeds it what
it reads and writes the replies the gateway gives back, in order, each once it is ready (a
received message's reply only after its commit, so one never overtakes the message before it),
in one ``write`` each (some senders read the answer with a single ``recv``). Devices either open
a connection per message or keep one open and pipeline; both work. The reader stops reading
while the ingest queue (or this source's share of it) is full, so TCP pushes back on the
devices. A connection is hung up on after a reply that says so (the stream is garbage, a commit
failed, the device is unknown), and the listener's observer is told which; a stream given up on
as garbage is not read any further.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl

import msgspec

from device_gateway.gateway import Gateway, Reply
from device_gateway.ingest import Source
from device_gateway.transports.observer import UNOBSERVED, ConnectionObserver
from device_gateway.transports.streams import (
    IdleWatch,
    StreamLimits,
    TcpListener,
    peer_name,
    sending,
    serve_streams,
)

logger = logging.getLogger(__name__)


async def serve_tcp(
    gateway: Gateway,
    host: str,
    port: int,
    *,
    transport: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    idle_timeout_s: float | None = None,
    limits: StreamLimits | None = None,
    observer: ConnectionObserver = UNOBSERVED,
) -> TcpListener:
    """Serve ``gateway``'s protocol on ``host``:``port``. ``transport`` names the source of what
    is stored (default ``tls`` or ``tcp``); ``idle_timeout_s``, when given, replaces
    ``limits``'s (default :class:`StreamLimits`)."""
    limits = limits or StreamLimits()
    if idle_timeout_s is not None:
        limits = msgspec.structs.replace(limits, idle_timeout_s=idle_timeout_s)
    name = transport or ("tls" if ssl_context is not None else "tcp")
    pump = functools.partial(_pump, gateway, name, observer)
    return await serve_streams(
        pump, host, port, ssl_context=ssl_context, limits=limits, observer=observer
    )


async def _pump(
    gateway: Gateway,
    transport: str,
    observer: ConnectionObserver,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    idle: IdleWatch,
) -> None:
    source = Source(transport=transport, peer=peer_name(writer.get_extra_info("peername")))
    connection = gateway.open_stream()
    replies: asyncio.Queue[Reply | None] = asyncio.Queue()
    send = _send_replies(replies, writer, idle, observer)
    try:
        async with sending(send, replies, raise_sender_errors=True) as sender:
            while not sender.done():
                await gateway.wait_for_room(source.host)  # this source's share, or the queue
                data = await idle.read(reader, writer)
                given_up = False
                for reply in gateway.feed(connection, data, source):  # data first, then EOF
                    replies.put_nowait(reply)
                    given_up = given_up or reply.hang_up is not None
                if not data or given_up:
                    break
    except OSError as err:
        logger.debug("%s connection from %s ends: %r", transport, source.peer, err)
    finally:
        writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await writer.wait_closed()


async def _send_replies(
    replies: asyncio.Queue[Reply | None],
    writer: asyncio.StreamWriter,
    idle: IdleWatch,
    observer: ConnectionObserver,
) -> None:
    while (reply := await replies.get()) is not None:
        data = await reply.ready
        if data:
            await idle.send(writer, data)
        if reply.hang_up is not None:
            observer.hung_up(reply.hang_up)
            writer.close()  # the reader sees EOF and stops; later messages get no reply
            return
