"""The app factory: wiring only."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Final

from litestar import Litestar
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from server.alerts.routes import router as alerts_router
from server.auth.guards import BearerTokenMiddleware
from server.crews.routes import router as crews_router
from server.devices.routes import router as devices_router
from server.errors import EXCEPTION_HANDLERS
from server.incidents import deadlines
from server.incidents.routes import router as incidents_router
from server.relay.endpoints import crew_socket, dispatch_socket
from server.sites.routes import router as sites_router
from server.state import AppState
from server.stats.routes import router as stats_router
from server.system_routes import health, metrics

MAX_BODY_BYTES: Final = 10 * 1024 * 1024
UNAUTHENTICATED: Final = ["^/health$"]


def create_app(state: AppState) -> Litestar:
    @contextlib.asynccontextmanager
    async def background(_: Litestar) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(state.hub.run(), name="relay-hub"),
            asyncio.create_task(
                state.hub.reconcile_forever(state.settings.relay_reconcile_s), name="reconcile"
            ),
            asyncio.create_task(
                deadlines.run_forever(state.db, state.settings.deadline_poll_s), name="deadlines"
            ),
        ]
        await state.bus.start()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await state.bus.close()

    auth = DefineMiddleware(BearerTokenMiddleware, exclude=UNAUTHENTICATED, scopes={ScopeType.HTTP})
    return Litestar(
        route_handlers=[
            health,
            metrics,
            sites_router,
            devices_router,
            crews_router,
            alerts_router,
            incidents_router,
            stats_router,
            dispatch_socket,
            crew_socket,
        ],
        dependencies={"posbon": Provide(lambda: state, sync_to_thread=False)},
        middleware=[auth],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[background],
        openapi_config=OpenAPIConfig(
            title="Posbon",
            version="0.1.0",
            path="/schema",
            description="City public-safety response backend. Every route but /health needs "
            "'Authorization: Bearer <token>' (create one with 'posbon token create').",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
        logging_config=None,
    )
