"""The app factory: wiring only."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Final

from litestar import Litestar
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from server.alerts.routes import router as alerts_router
from server.auth.guards import BearerTokenMiddleware
from server.auth.routes import router as tokens_router
from server.cameras.routes import router as cameras_router
from server.crew_app.routes import SHELL_PATHS as CREW_APP_PATHS
from server.crew_app.routes import router as crew_app_router
from server.crew_app.routes import shell_routes as crew_app_shell
from server.crews.routes import router as crews_router
from server.custody.routes import router as recordings_router
from server.devices.routes import router as devices_router
from server.errors import EXCEPTION_HANDLERS
from server.incidents import deadlines
from server.incidents.routes import router as incidents_router
from server.parts import Run
from server.plates.routes import router as plates_router
from server.recognition import lifecycle as recognition_lifecycle
from server.recognition.routes import router as recognition_router
from server.recognition.runtime import Recognition
from server.relay.endpoints import crew_socket, dispatch_socket
from server.signals.routes import router as signals_router
from server.sites.routes import router as sites_router
from server.state import AppState
from server.stats.routes import router as stats_router
from server.sync import compaction as sync_compaction
from server.sync.routes import review_router as sync_review_router
from server.sync.routes import router as sync_router
from server.system_routes import crash_part, health, list_parts, metrics, ready
from server.uploads.routes import router as uploads_router
from server.uploads.routes import tus_error_response
from server.uploads.tus import TusError
from server.watchlists.routes import router as watchlists_router
from server.web.routes import page, static_files
from server.web.routes import router as web_router

MAX_BODY_BYTES: Final = 10 * 1024 * 1024
# The dispatcher page shell and its scripts hold no data; everything they load needs the token.
# The API docs (/schema: Swagger UI and the OpenAPI document) describe the routes and hold no
# data either; a browser must open them before it can be given a token (Authorize).
UNAUTHENTICATED: Final = [
    "^/health$",
    "^/ready$",
    "^/$",
    "^/static/",
    "^/schema(/|$)",
    *CREW_APP_PATHS,
]


def create_app(state: AppState) -> Litestar:
    recognition = Recognition(state.settings, state.db)  # loads nothing until used

    @contextlib.asynccontextmanager
    async def background(_: Litestar) -> AsyncIterator[None]:
        settings = state.settings
        # Timers fire on one node of a cluster: the holder of their lease.
        parts: dict[str, Run] = {
            "relay-hub": state.hub.run,
            "reconcile": lambda: state.hub.reconcile_forever(settings.relay_reconcile_s),
            "revoked-sockets": lambda: state.sockets.sweep_forever(settings.relay_reconcile_s),
            "upload-expiry": lambda: state.lease("upload-expiry").run(state.uploads.expire_forever),
            "deadlines": lambda: state.lease("deadlines").run(
                lambda: deadlines.run_forever(state.db, settings.deadline_poll_s, state.eta)
            ),
            "sync-compaction": lambda: state.lease("sync-compaction").run(
                lambda: sync_compaction.compact_forever(
                    state.db, settings.sync_log_retention_s, settings.sync_compact_interval_s
                )
            ),
        }
        await state.bus.start()
        parts.update(state.bus.readers())
        for name, run in parts.items():
            state.parts.start(name, run)
        try:
            async with recognition_lifecycle.running(recognition, state.parts):
                yield
        finally:
            await state.parts.stop(*parts)
            await state.bus.close()

    # OPTIONS too: tus clients discover capabilities with it, and no route is anonymous.
    auth = DefineMiddleware(
        BearerTokenMiddleware,
        exclude=UNAUTHENTICATED,
        exclude_http_methods=(),
        scopes={ScopeType.HTTP},
        failures=state.token_failures,
    )
    return Litestar(
        route_handlers=[
            health,
            ready,
            metrics,
            list_parts,
            crash_part,
            tokens_router,
            sites_router,
            devices_router,
            crews_router,
            alerts_router,
            signals_router,
            incidents_router,
            stats_router,
            cameras_router,
            watchlists_router,
            plates_router,
            recognition_router,
            uploads_router,
            recordings_router,
            sync_router,
            sync_review_router,
            dispatch_socket,
            crew_socket,
            page,
            static_files,
            web_router,
            *crew_app_shell,
            crew_app_router,
        ],
        dependencies={
            "posbon": Provide(lambda: state, sync_to_thread=False),
            "recognition": Provide(lambda: recognition, sync_to_thread=False),
        },
        middleware=[auth],
        exception_handlers={**EXCEPTION_HANDLERS, TusError: tus_error_response},  # type: ignore[dict-item]
        lifespan=[background],
        openapi_config=OpenAPIConfig(
            title="Posbon",
            version="0.1.0",
            path="/schema",
            description="City public-safety response backend. Every route but /health, /ready, "
            "these docs (/schema) and the shells of the dispatcher page and the crew app (/, "
            "/static/, /crew/) needs 'Authorization: Bearer <token>': create one with 'posbon "
            "token create' (the demo prints one), then click Authorize and paste it.",
            render_plugins=[SwaggerRenderPlugin()],
            # Swagger UI shows its Authorize button only when the document names a scheme.
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
        logging_config=None,
    )
