"""Run the service: open the database, build the app, serve HTTP and WebSockets with uvicorn."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from collections.abc import Callable, Coroutine
from typing import Any, Final

import uvicorn

from server.app import create_app
from server.db import open_database
from server.limits import (
    API_HTTP_PARSER,
    API_KEEP_ALIVE_S,
    API_MAX_HEADER_BYTES,
    raise_open_files_limit,
)
from server.ports import binding
from server.relay.redis_bus import make_bus
from server.settings import Settings
from server.signals.gateway import running_gateway
from server.signals.trackers import RunningTrackers, running_trackers
from server.state import AppState

logger = logging.getLogger(__name__)

WS_PING_INTERVAL_S: Final = 20.0
WS_PING_TIMEOUT_S: Final = 20.0
Extra = Callable[[AppState], Coroutine[Any, Any, None]]


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


async def serve(settings: Settings, extra: Extra | None = None) -> None:
    """Serve until interrupted; `extra` runs beside the server (the demo's simulator)."""
    http = bind_http(settings)
    try:
        await _serve(settings, http, extra)
    finally:
        http.close()


async def _serve(settings: Settings, http: socket.socket, extra: Extra | None) -> None:
    db = await open_database(settings)
    state = AppState(settings, db, make_bus(settings.bus_url))
    config = uvicorn.Config(
        create_app(state),
        log_config=None,
        ws_ping_interval=WS_PING_INTERVAL_S,
        ws_ping_timeout=WS_PING_TIMEOUT_S,
        lifespan="on",
        access_log=False,
        http=API_HTTP_PARSER,
        h11_max_incomplete_event_size=API_MAX_HEADER_BYTES,
        timeout_keep_alive=API_KEEP_ALIVE_S,
        limit_concurrency=settings.http_connections_max,  # then 503, leaving descriptors free
    )
    server = uvicorn.Server(config)
    # Everything loaded so far lives as long as the process: keep it out of the collector's
    # full passes, which otherwise walk it all and stall every socket for tens of ms.
    gc.freeze()
    try:
        # Trackers first: they start nothing until all their ports are bound, and the DC-09
        # receiver binds its port before it starts its parts either.
        async with running_trackers(state) as trackers, running_gateway(state):
            # Each connection is a descriptor. Raised once every port is bound and the database
            # opened, so that a start that fails says only why it failed.
            raise_open_files_limit()
            _log_doors(settings, http, state, trackers)
            helper = None if extra is None else asyncio.create_task(extra(state), name="extra")
            try:
                await server.serve(sockets=[http])
            finally:
                if helper is not None:
                    helper.cancel()
    finally:
        await state.parts.close()
        await db.close()


def _log_doors(
    settings: Settings, http: socket.socket, state: AppState, trackers: RunningTrackers
) -> None:
    host, http_port = http.getsockname()[:2]
    doors = [
        f"HTTP and WebSockets on http://{host}:{http_port}",
        f"DC-09 {state.dc09_port} TCP+UDP",
    ]
    if trackers.http_port is not None:
        doors.append(f"OsmAnd/IoT HTTP {trackers.http_port}")
    if trackers.gt06_port is not None:
        doors.append(f"GT06 TCP {trackers.gt06_port}")
    if settings.mqtt_url:
        doors.append(f"MQTT buttons from {settings.mqtt_url}")
    logger.info(
        "Posbon serving (%s database): %s",
        "PostgreSQL" if settings.uses_postgres else "SQLite",
        "; ".join(doors),
    )
