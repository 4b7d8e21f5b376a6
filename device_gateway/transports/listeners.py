"""DC-09 on one port number for TCP and UDP, as panels expect (reference §1.1).

:func:`listen_dc09` binds both sockets at once, so a port that is taken fails at start-up.
Serving is then two parts for a supervisor to run: :meth:`Dc09Listeners.run_stream` (TCP or
TLS) and :meth:`Dc09Listeners.run_datagrams` (UDP). Each serves until it fails; run again, it
binds the same port afresh.
"""

from __future__ import annotations

import socket
import ssl
from typing import Final

from device_gateway.gateway import Gateway
from device_gateway.transports.observer import UNOBSERVED, ConnectionObserver
from device_gateway.transports.streams import Rebinding, StreamLimits, TcpListener
from device_gateway.transports.tcp import serve_tcp
from device_gateway.transports.udp import bind_udp, serve_udp

BIND_ATTEMPTS: Final = 5
"""With port 0 the TCP port is free but its UDP twin may not be: pick again a few times."""


class Dc09Listeners:
    def __init__(
        self,
        gateway: Gateway,
        host: str,
        tcp: TcpListener,
        udp: socket.socket,
        *,
        ssl_context: ssl.SSLContext | None,
        limits: StreamLimits,
        observer: ConnectionObserver = UNOBSERVED,
    ) -> None:
        self.port = tcp.port
        self.transport = "tls" if ssl_context is not None else "tcp"
        self._gateway = gateway
        self._host = host
        self._udp: socket.socket | None = udp

        async def bind_stream(port: int) -> TcpListener:
            return await _serve_stream(gateway, host, port, ssl_context, limits, observer)

        self._stream = Rebinding(tcp, bind_stream)

    async def run_stream(self) -> None:
        await self._stream.run()

    async def run_datagrams(self) -> None:
        sock, self._udp = self._udp, None
        if sock is None:
            sock = bind_udp(self._host, self.port)
        await serve_udp(self._gateway, sock)

    async def close(self) -> None:
        """Close what no run took over (runs close their own sockets when cancelled)."""
        await self._stream.close()
        if self._udp is not None:
            self._udp.close()
            self._udp = None


async def listen_dc09(
    gateway: Gateway,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    limits: StreamLimits | None = None,
    observer: ConnectionObserver = UNOBSERVED,
) -> Dc09Listeners:
    """Bind TCP (TLS if ``ssl_context``) and UDP on ``port``; 0 picks a free one for both.
    TCP accepts at once; UDP is read once :meth:`Dc09Listeners.run_datagrams` runs. ``observer``
    hears of the TCP connections refused and hung up on (UDP has none)."""
    limits = limits or StreamLimits()
    for attempt in range(BIND_ATTEMPTS):
        tcp = await _serve_stream(gateway, host, port, ssl_context, limits, observer)
        try:
            sock = bind_udp(host, tcp.port)
        except OSError:
            await tcp.close()
            if port != 0 or attempt == BIND_ATTEMPTS - 1:
                raise
            continue
        return Dc09Listeners(
            gateway, host, tcp, sock, ssl_context=ssl_context, limits=limits, observer=observer
        )
    raise AssertionError("unreachable")  # pragma: no cover


async def _serve_stream(
    gateway: Gateway,
    host: str,
    port: int,
    ssl_context: ssl.SSLContext | None,
    limits: StreamLimits,
    observer: ConnectionObserver,
) -> TcpListener:
    return await serve_tcp(
        gateway,
        host,
        port,
        ssl_context=ssl_context,
        limits=limits,
        observer=observer,
    )
