"""Run the service: open the database, build the app, serve HTTP and WebSockets with uvicorn."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

import uvicorn

from server.app import create_app
from server.db import open_database
from server.relay.redis_bus import make_bus
from server.settings import Settings
from server.signals.gateway import running_gateway
from server.signals.trackers import running_trackers
from server.state import AppState

logger = logging.getLogger(__name__)

WS_PING_INTERVAL_S: Final = 20.0
WS_PING_TIMEOUT_S: Final = 20.0
Extra = Callable[[AppState], Coroutine[Any, Any, None]]


async def serve(settings: Settings, extra: Extra | None = None) -> None:
    """Serve until interrupted; `extra` runs beside the server (the demo's simulator)."""
    db = await open_database(settings)
    state = AppState(settings, db, make_bus(settings.bus_url))
    config = uvicorn.Config(
        create_app(state),
        host=settings.host,
        port=settings.http_port,
        log_config=None,
        ws_ping_interval=WS_PING_INTERVAL_S,
        ws_ping_timeout=WS_PING_TIMEOUT_S,
        lifespan="on",
        access_log=False,
    )
    server = uvicorn.Server(config)
    logger.info(
        "Posbon listening on http://%s:%s (database: %s)",
        settings.host,
        settings.http_port,
        "PostgreSQL" if settings.uses_postgres else "SQLite",
    )
    # Everything loaded so far lives as long as the process: keep it out of the collector's
    # full passes, which otherwise walk it all and stall every socket for tens of ms.
    gc.freeze()
    try:
        async with running_gateway(state), running_trackers(state):
            helper = None if extra is None else asyncio.create_task(extra(state), name="extra")
            try:
                await server.serve()
            finally:
                if helper is not None:
                    helper.cancel()
    finally:
        await db.close()
