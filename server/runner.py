"""Run the service: open the database, start the node's parts (server/app.py, device listeners
included), serve HTTP and WebSockets with uvicorn."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import ssl
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Final

import uvicorn

from device_gateway.registry import PROTOCOLS
from server.app import Node, Running
from server.auth.transport import https_context, trusted_proxies
from server.db import open_database
from server.http_protocol import head_deadline_protocol
from server.limits import API_KEEP_ALIVE_S, API_MAX_HEADER_BYTES, raise_open_files_limit
from server.ports import binding
from server.relay.redis_bus import make_bus
from server.settings import Settings
from server.state import AppState

logger = logging.getLogger(__name__)

WS_PING_INTERVAL_S: Final = 20.0
WS_PING_TIMEOUT_S: Final = 20.0
Extra = Callable[[Running], Coroutine[Any, Any, None]]


def bind_http(settings: Settings) -> socket.socket:
    """Bind the HTTP port before anything starts, so a taken port stops the start with one line
    naming the setting (uvicorn would log the error only after the other listeners opened)."""
    with binding("http_port", settings.host, settings.http_port):
        family, kind, proto, _, address = socket.getaddrinfo(
            settings.host, settings.http_port, type=socket.SOCK_STREAM
        )[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
        except OSError:
            sock.close()
            raise
    return sock


def api_config(node: Node, tls: ssl.SSLContext | None = None) -> uvicorn.Config:
    """uvicorn's settings for the API port: the app, WebSocket pings, the connection limits
    of server/limits.py (request heads on a deadline, then 503 beyond the connection limit),
    TLS when `tls` is given, and X-Forwarded-For/-Proto believed only from --forwarded-allow
    (uvicorn's default would trust 127.0.0.1, so any local process could claim any address).
    The app starts no part: `serve` runs the node's parts around uvicorn."""
    state = node.state
    settings = state.settings
    proxies = trusted_proxies(settings)
    return uvicorn.Config(
        node.app(start_parts=False),
        log_config=None,
        ws_ping_interval=WS_PING_INTERVAL_S,
        ws_ping_timeout=WS_PING_TIMEOUT_S,
        lifespan="on",
        access_log=False,
        http=head_deadline_protocol(
            settings.http_header_timeout_s, state.metrics.http_header_timeouts
        ),
        h11_max_incomplete_event_size=API_MAX_HEADER_BYTES,
        timeout_keep_alive=API_KEEP_ALIVE_S,
        limit_concurrency=settings.http_connections_max,  # then 503, leaving descriptors free
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
        ssl_context_factory=None if tls is None else (lambda _config, _default: tls),
    )


async def serve(settings: Settings, extra: Extra | None = None) -> None:
    """Serve until interrupted; `extra` runs beside the server (the demo's simulator)."""
    tls = https_context(settings)
    http = bind_http(settings)
    try:
        await _serve(settings, http, tls, extra)
    finally:
        http.close()


async def _serve(
    settings: Settings, http: socket.socket, tls: ssl.SSLContext | None, extra: Extra | None
) -> None:
    db = await open_database(settings)
    node = Node(AppState(settings, db, make_bus(settings.bus_url)))
    state = node.state
    server = uvicorn.Server(api_config(node, tls))
    # Everything loaded so far lives as long as the process: keep it out of the collector's
    # full passes, which otherwise walk it all and stall every socket for tens of ms.
    gc.freeze()
    try:
        # The device listeners bind their ports, then the jobs start (server/app.py: Node.running).
        async with node.running(device_listeners=True) as running:
            # Each connection is a descriptor. Raised once every port is bound and the database
            # opened, so that a start that fails says only why it failed.
            raise_open_files_limit()
            _log_doors(settings, http, tls is not None, running.device_ports)
            helper = None if extra is None else asyncio.create_task(extra(running), name="extra")
            try:
                await server.serve(sockets=[http])
            finally:
                if helper is not None:
                    helper.cancel()
    finally:
        await state.parts.close()
        await db.close()


def _log_doors(
    settings: Settings, http: socket.socket, https: bool, ports: Mapping[str, int]
) -> None:
    host, http_port = http.getsockname()[:2]
    scheme = "https" if https else "http"
    doors = [f"HTTP and WebSockets on {scheme}://{host}:{http_port}"]
    doors += [  # in the registry's order: DC-09, OsmAnd/IoT, GT06 …
        f"{protocol.title} {protocol.transport} {ports[protocol.name]}"
        for protocol in PROTOCOLS
        if protocol.name in ports
    ]
    if settings.mqtt_url:
        doors.append(f"MQTT buttons from {settings.mqtt_url}")
    logger.info(
        "Posbon serving (%s database): %s",
        "PostgreSQL" if settings.uses_postgres else "SQLite",
        "; ".join(doors),
    )
