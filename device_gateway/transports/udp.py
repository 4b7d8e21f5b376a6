"""DC-09 over UDP: one datagram is one frame; the reply goes back to the sender's address.

The socket is served through ``loop.create_datagram_endpoint`` (an
:class:`asyncio.DatagramProtocol`), which asyncio's loop and uvloop both implement; uvloop has no
``sock_recvfrom``, so a receive loop built on that dies at once there.

Each reply is sent from a callback when it is ready, so a slow commit never stalls reading.
Datagram transports cannot pause reading on every loop (uvloop's has no ``pause_reading``), so
while the ingest queue is full datagrams wait in a backlog bounded like a socket buffer
(``BACKLOG_MAX_BYTES``) and are fed in arrival order as room appears. A datagram that finds the
backlog full is dropped un-ACKed, as a full kernel buffer would drop it (the panel sends again);
it is counted as a rejected frame (reason ``queue_full``) and logged once per overflow. A
datagram from an address that already holds its whole share of the queue is dropped the same
way (reason ``source_full``): one flooding address cannot fill the backlog for everyone.

:func:`serve_udp` returns only by raising: when the transport is lost with an error, the error
propagates so that whoever supervises the listener sees it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
import socket
import typing
from typing import Final

from device_gateway.gateway import Gateway
from device_gateway.ingest import Source

logger = logging.getLogger(__name__)

RECEIVE_BUFFER_BYTES: Final = 4 * 1024 * 1024
BACKLOG_MAX_BYTES: Final = RECEIVE_BUFFER_BYTES
MAX_REPLIES_PER_DATAGRAM: Final = 2
Address = tuple[str, int]


class UdpListenerLost(ConnectionError):
    """The datagram transport closed while the listener should still be serving."""


def bind_udp(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        with contextlib.suppress(OSError):  # a bigger buffer absorbs bursts; not essential
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        sock.setblocking(False)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


class _DatagramPump(asyncio.DatagramProtocol):
    def __init__(self, gateway: Gateway, lost: asyncio.Future[None]) -> None:
        self._gateway = gateway
        self._lost = lost
        self._transport: asyncio.DatagramTransport | None = None
        self._backlog: collections.deque[tuple[bytes, Address]] = collections.deque()
        self._backlog_bytes = 0
        self._drainer: asyncio.Task[None] | None = None
        self._overflowing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's UDP transport does not subclass asyncio.DatagramTransport; it has its methods.
        self._transport = typing.cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        try:
            self._receive(data, addr)
        except Exception as err:
            # The loop would only log an error raised in this callback and go on; fail the
            # listener instead, so that its supervisor reports and restarts it.
            if not self._lost.done():
                self._lost.set_exception(err)
            raise

    def _receive(self, data: bytes, addr: Address) -> None:
        if self._gateway.source_full(addr[0]):
            # This address holds its whole share of the queue: its datagram is dropped un-ACKed
            # (the panel resends) rather than crowding every other panel out of the backlog.
            self._gateway.frame_dropped("source_full", "udp")
            return
        if not self._backlog and self._gateway.has_room:
            self._feed(data, addr)
        elif self._backlog_bytes + len(data) <= BACKLOG_MAX_BYTES:
            self._overflowing = False
            self._backlog.append((data, addr))
            self._backlog_bytes += len(data)
            if self._drainer is None or self._drainer.done():
                self._drainer = asyncio.create_task(self._drain(), name="dc09-udp-backlog")
        else:
            self._gateway.frame_dropped("queue_full", "udp")
            if not self._overflowing:
                self._overflowing = True
                logger.warning("DC-09 UDP backlog full: datagrams dropped un-ACKed until it drains")

    def error_received(self, exc: Exception) -> None:
        # An ICMP error from an earlier reply (the panel's port closed): keep serving.
        logger.debug("DC-09 UDP receive error: %r", exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._drainer is not None:
            self._drainer.cancel()
        if not self._lost.done():
            self._lost.set_exception(exc or UdpListenerLost("the DC-09 UDP socket was closed"))

    async def _drain(self) -> None:
        while self._backlog:
            await self._gateway.wait_for_room()
            data, addr = self._backlog.popleft()
            self._backlog_bytes -= len(data)
            self._feed(data, addr)

    def _feed(self, data: bytes, addr: Address) -> None:
        transport = self._transport
        assert transport is not None
        source = Source(transport="udp", peer=f"{addr[0]}:{addr[1]}")
        replies = self._gateway.feed_datagram(data, source)
        # One datagram is one frame; a datagram packed with many small junk frames would get a
        # NAK for each, and a spoofed sender address turns that into a reflection attack.
        for reply in replies[:MAX_REPLIES_PER_DATAGRAM]:
            reply.ready.add_done_callback(functools.partial(_send, transport, addr))


async def serve_udp(gateway: Gateway, sock: socket.socket) -> None:
    """Serve a bound socket until cancelled (then close it) or until its transport is lost."""
    loop = asyncio.get_running_loop()
    lost: asyncio.Future[None] = loop.create_future()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _DatagramPump(gateway, lost), sock=sock
    )
    try:
        await lost
    finally:
        transport.close()


def _send(
    transport: asyncio.DatagramTransport, address: Address, ready: asyncio.Future[bytes | None]
) -> None:
    if ready.cancelled():
        return
    data = ready.result()
    if data and not transport.is_closing():
        # The transport buffers what the socket cannot take at once; an OS error on send is
        # passed to error_received, and the panel resends a frame whose ACK never came.
        transport.sendto(data, address)
