"""DC-09 on one port number for TCP and UDP, as panels expect (reference §1.1)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from typing import Final

from device_gateway.gateway import Dc09Gateway
from device_gateway.transports.streams import DEFAULT_IDLE_TIMEOUT_S, TcpListener
from device_gateway.transports.tcp import serve_tcp
from device_gateway.transports.udp import bind_udp, serve_udp

BIND_ATTEMPTS: Final = 5
"""With port 0 the TCP port is free but its UDP twin may not be: pick again a few times."""


class Dc09Listeners:
    def __init__(self, port: int, tcp: TcpListener, udp: asyncio.Task[None]) -> None:
        self.port = port
        self._tcp = tcp
        self._udp = udp

    async def close(self) -> None:
        self._udp.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._udp
        await self._tcp.close()


async def listen_dc09(
    gateway: Dc09Gateway,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
) -> Dc09Listeners:
    """Serve TCP (TLS if ``ssl_context``) and UDP on ``port``; 0 picks a free one for both."""
    for attempt in range(BIND_ATTEMPTS):
        tcp = await serve_tcp(
            gateway, host, port, ssl_context=ssl_context, idle_timeout_s=idle_timeout_s
        )
        bound = tcp.port
        try:
            sock = bind_udp(host, bound)
        except OSError:
            await tcp.close()
            if port != 0 or attempt == BIND_ATTEMPTS - 1:
                raise
            continue
        udp = asyncio.create_task(_serve_and_close(gateway, sock), name="dc09-udp")
        return Dc09Listeners(bound, tcp, udp)
    raise AssertionError("unreachable")  # pragma: no cover


async def _serve_and_close(gateway: Dc09Gateway, sock: socket.socket) -> None:
    try:
        await serve_udp(gateway, sock)
    finally:
        sock.close()
