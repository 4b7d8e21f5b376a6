"""DC-09 over UDP: one datagram is one frame; the reply goes back to the sender's address.

Each reply is sent from a callback when it is ready, so a slow commit never stalls reading.
While the ingest queue is full the loop stops calling ``recvfrom`` and datagrams wait in the
kernel's buffer (or are dropped there, un-ACKed: the panel sends again).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
from typing import Final

from device_gateway.gateway import Dc09Gateway
from device_gateway.ingest import Source

logger = logging.getLogger(__name__)

MAX_DATAGRAM_BYTES: Final = 65_535
RECEIVE_BUFFER_BYTES: Final = 4 * 1024 * 1024


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


async def serve_udp(gateway: Dc09Gateway, sock: socket.socket) -> None:
    """Receive datagrams on a bound socket until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        await gateway.wait_for_room()
        try:
            data, address = await loop.sock_recvfrom(sock, MAX_DATAGRAM_BYTES)
        except ConnectionError as err:  # an ICMP error from an earlier reply; keep serving
            logger.debug("DC-09 UDP receive error: %r", err)
            continue
        source = Source(transport="udp", peer=f"{address[0]}:{address[1]}")
        for reply in gateway.feed_datagram(data, source):
            reply.ready.add_done_callback(functools.partial(_send, sock, address))


def _send(
    sock: socket.socket, address: tuple[str, int], ready: asyncio.Future[bytes | None]
) -> None:
    data = ready.result()
    if data:
        try:
            sock.sendto(data, address)
        except OSError as err:  # a full send buffer loses this ACK; the panel resends
            logger.debug("DC-09 UDP reply to %s lost: %r", address, err)
