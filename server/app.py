"""The composition: every route and every part of a Posbon node, listed in one place.

A node is a `Node(state)`: its HTTP app (`Node.app`) and `Node.running`, which starts every part
the node runs and stops them again. `posbon serve` (server/runner.py) and the in-process server
of the tests (`create_app`, tests/integration/live.py) run that one list of parts and differ in
one switch, `device_listeners`:

* `posbon serve` enters `running(device_listeners=True)` itself before uvicorn starts, and builds
  its app with `app(start_parts=False)`: the device ports (trackers, DC-09) are bound first, so a
  taken port stops the start with one line naming its setting (raised inside the ASGI lifespan,
  uvicorn would only log it), then the jobs start, then HTTP.
* `create_app(state)` builds the app whose lifespan enters `running(device_listeners=False)`:
  every job, no device listener (most tests need none, and they would bind the configured
  ports). A test that needs the DC-09 receiver runs `running_gateway` beside it
  (tests/integration/test_device_gateway/support.py); one that needs every part runs the node
  as `posbon serve` does (tests/integration/live.py: `serve(..., device_listeners=True)`).

Each domain keeps its wiring under fixed module names: `routes` (its router), `lifespan` (the
parts it runs), `cli` (its commands, which server/cli.py composes).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Final

import msgspec
from litestar import Litestar
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from server.accounts.routes import router as session_router
from server.alerts.routes import router as alerts_router
from server.audit import retention as audit_retention
from server.audit_routes import router as audit_router
from server.auth import service as auth_service
from server.auth.guards import BearerTokenMiddleware
from server.auth.limits import FailedLookups
from server.auth.routes import router as tokens_router
from server.auth.scope import scope_guard
from server.auth.transport import strict_transport
from server.cameras.routes import router as cameras_router
from server.contacts.routes import router as contacts_router
from server.crew_app.routes import SHELL_PATHS as CREW_APP_PATHS
from server.crew_app.routes import router as crew_app_router
from server.crew_app.routes import shell_routes as crew_app_shell
from server.crews.routes import router as crews_router
from server.custody import sync_rules as custody_sync_rules
from server.custody.routes import router as recordings_router
from server.devices.routes import router as devices_router
from server.errors import EXCEPTION_HANDLERS
from server.evidence import lifespan as evidence_lifespan
from server.evidence.routes import router as evidence_router
from server.incidents import lifespan as incidents_lifespan
from server.incidents import sync_rules as incidents_sync_rules
from server.incidents.routes import router as incidents_router
from server.notify import lifespan as notify_lifespan
from server.notify.routes import router as notify_router
from server.oidc.client import SingleSignOn
from server.oidc.routes import router as oidc_router
from server.parts import Run
from server.plans import hooks as plans_hooks
from server.plans.routes import incident_router as plan_checklist_router
from server.plans.routes import router as plans_router
from server.plates.reads_routes import router as plate_reads_router
from server.plates.routes import router as plates_router
from server.recognition import lifespan as recognition_lifespan
from server.recognition.reports import router as recognition_worker_router
from server.recognition.review_routes import router as recognition_review_router
from server.recognition.routes import router as recognition_router
from server.recognition.runtime import Recognition
from server.relay import lifespan as relay_lifespan
from server.schedules import lifespan as schedules_lifespan
from server.schedules.routes import router as schedules_router
from server.signals import lifespan as signals_lifespan
from server.signals.routes import router as signals_router
from server.sites.routes import router as sites_router
from server.sockets import lifespan as sockets_lifespan
from server.sockets.routes import router as sockets_router
from server.state import AppState
from server.stats.routes import router as stats_router
from server.sync import lifespan as sync_lifespan
from server.sync.routes import review_router as sync_review_router
from server.sync.routes import router as sync_router
from server.system_routes import crash_part, health, list_parts, metrics, ready
from server.uploads import lifespan as uploads_lifespan
from server.uploads.routes import router as uploads_router
from server.uploads.routes import tus_error_response
from server.uploads.service import open_uploads
from server.uploads.tus import TusError
from server.verification import lifespan as verification_lifespan
from server.verification.routes import router as verification_router
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
    "^/auth/oidc/(login|callback|status)$",  # single sign-on (server/oidc)
    "^/share/",  # an outside party's share link: the link itself is the key (server/evidence)
    "^/evidence/redact/",  # the redaction reviewer's page shell: no data (server/evidence)
    *CREW_APP_PATHS,
]


class Running(msgspec.Struct, frozen=True):
    """A node that runs: its state, and the device ports it bound, by protocol name (``dc09``,
    ``osmand`` for the device HTTP port, ``gt06`` …; none without device listeners)."""

    state: AppState
    device_ports: Mapping[str, int]


class Node:
    """One server node: its infrastructure (`state`) and what its routes and parts share."""

    def __init__(self, state: AppState) -> None:
        settings = state.settings
        self.state = state
        # Loads nothing until used.
        self.recognition = Recognition(settings, state.db, state.sync_clock)
        self.token_failures = FailedLookups(
            settings.auth_failures_max, settings.auth_failure_window_s, settings.auth_block_s
        )
        """Unknown tokens by client address, HTTP and sockets alike."""
        self.sign_in_failures = FailedLookups(
            settings.auth_failures_max, settings.auth_failure_window_s, settings.auth_block_s
        )
        """Failed sign-ins by client address, whichever accounts they tried."""
        incidents_sync_rules.register()  # sync pushes apply crew status changes
        custody_sync_rules.register()  # sync pushes apply the recording rules
        plans_hooks.register()  # new incidents get their action plan; closes check it
        self.uploads = open_uploads(settings, state.db, state.sync_clock)
        self.oidc = SingleSignOn(settings)
        """Single sign-on: its role map (checked here), the provider's metadata once fetched."""
        """The tus upload service and the evidence store behind it."""

    def jobs(self) -> dict[str, Run]:
        """Every job of a node, by part name; those on a timer run on one node of a cluster at
        a time, the holder of their lease."""
        state = self.state
        return {
            **relay_lifespan.parts(state.hub, state.settings.relay_reconcile_s),
            **sockets_lifespan.parts(state),
            **uploads_lifespan.parts(state, self.uploads),
            **evidence_lifespan.parts(state, self.uploads, self.recognition),
            **incidents_lifespan.parts(state),
            **notify_lifespan.parts(state),
            **schedules_lifespan.parts(state),
            **sync_lifespan.parts(state),
            **verification_lifespan.parts(state, self.uploads),
            **audit_retention.parts(state.db, state.settings.audit_retention_days),
            **recognition_lifespan.list_parts(self.recognition, state.bus),
        }

    @contextlib.asynccontextmanager
    async def running(self, *, device_listeners: bool) -> AsyncIterator[Running]:
        """Run every part of the node until the block ends; with `device_listeners`, bind the
        device ports first (trackers, then DC-09: each binds all its ports before it starts a
        part, so a taken port stops the start with nothing running yet)."""
        state = self.state
        async with contextlib.AsyncExitStack() as stack:
            ports: Mapping[str, int] = {}
            if device_listeners:
                ports = await stack.enter_async_context(signals_lifespan.listening(state))
            await stack.enter_async_context(self._running_jobs())
            yield Running(state, ports)

    @contextlib.asynccontextmanager
    async def _running_jobs(self) -> AsyncIterator[None]:
        state = self.state
        parts = self.jobs()
        await state.bus.start()
        parts.update(state.bus.readers())
        for name, run in parts.items():
            state.parts.start(name, run)
        try:
            async with recognition_lifespan.running(self.recognition, state.parts):
                yield
        finally:
            await state.parts.stop(*parts)
            await auth_service.settle_uses()
            await state.bus.close()

    def app(self, *, start_parts: bool = True) -> Litestar:
        """The HTTP app; its lifespan runs the node's parts (no device listener) unless
        `start_parts` is False, for a caller that runs `running` around the server itself."""

        @contextlib.asynccontextmanager
        async def lifespan(_: Litestar) -> AsyncIterator[None]:
            async with self.running(device_listeners=False):
                yield

        return _litestar(self, [lifespan] if start_parts else [])


def create_app(state: AppState) -> Litestar:
    """The app of a node whose lifespan runs every part but the device listeners."""
    return Node(state).app()


Lifespan = Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]


def _litestar(node: Node, lifespan: Sequence[Lifespan]) -> Litestar:
    # OPTIONS too: tus clients discover capabilities with it, and no route is anonymous.
    auth = DefineMiddleware(
        BearerTokenMiddleware,
        exclude=UNAUTHENTICATED,
        exclude_http_methods=(),
        scopes={ScopeType.HTTP},
        db=node.state.db,
        failures=node.token_failures,
        idle_timeout_s=node.state.settings.session_idle_timeout_s,
    )
    return Litestar(
        route_handlers=[
            health,
            ready,
            metrics,
            list_parts,
            crash_part,
            tokens_router,
            session_router,
            audit_router,
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
            plate_reads_router,
            recognition_router,
            recognition_worker_router,
            recognition_review_router,
            uploads_router,
            recordings_router,
            evidence_router,
            sync_router,
            sync_review_router,
            sockets_router,
            schedules_router,
            verification_router,
            plans_router,
            plan_checklist_router,
            contacts_router,
            notify_router,
            page,
            static_files,
            web_router,
            *crew_app_shell,
            crew_app_router,
            oidc_router,
        ],
        dependencies={
            "posbon": Provide(lambda: node.state, sync_to_thread=False),
            "recognition": Provide(lambda: node.recognition, sync_to_thread=False),
            "token_failures": Provide(lambda: node.token_failures, sync_to_thread=False),
            "sign_in_failures": Provide(lambda: node.sign_in_failures, sync_to_thread=False),
            "uploads": Provide(lambda: node.uploads, sync_to_thread=False),
            "oidc": Provide(lambda: node.oidc, sync_to_thread=False),
        },
        middleware=[auth],
        guards=[scope_guard(node.state.db)],  # scoped tokens: server/auth/scope.py
        before_send=[strict_transport(node.state.settings.hsts_max_age_s)],
        exception_handlers={**EXCEPTION_HANDLERS, TusError: tus_error_response},  # type: ignore[dict-item]
        lifespan=lifespan,
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
