"""/health and /ready (unauthenticated, for load balancers and orchestrators) and /metrics.

/health is liveness: the process answers (503 while its database is unreachable, as before).
/ready is readiness for a cluster: both the database and the bus answer, so this node can store
what it accepts and wake sockets on the others, and every part of the server runs (a listener or
job that failed is named in ``failed`` until it is back: server/parts.py); a balancer sends
nothing to a node that is not ready.
"""

import asyncio
from typing import Final, Literal

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from server.auth.guards import allow
from server.auth.schemas import Role
from server.errors import Conflict, NotFound
from server.parts import PartState, UnknownPart
from server.state import Posbon
from server.uploads.service import Uploads, UploadsDep

READY_TIMEOUT_S: Final = 3.0


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
    sockets: int


@get("/health", summary="Liveness and database check (no token needed)", tags=["system"])
async def health(posbon: Posbon) -> Response[Health]:
    try:
        await posbon.db.fetch("SELECT 1 AS ok")
    except Exception:  # noqa: BLE001  (any failure to reach the database is what we report)
        body = Health(
            status="degraded", database="unreachable", sockets=posbon.hub.subscriber_count()
        )
        return Response(body, status_code=503)
    return Response(Health(status="ok", database="ok", sockets=posbon.hub.subscriber_count()))


class Readiness(msgspec.Struct, frozen=True):
    status: Literal["ready", "not_ready"]
    database: Literal["ok", "unreachable"]
    bus: Literal["ok", "unreachable"]
    evidence: Literal["ok", "unreachable"]
    """Reported, not required: alarms go on without it, and uploads keep their bytes until the
    evidence store is back."""
    failed: list[str] = []
    """Parts (listeners, jobs) that failed and are waiting to be restarted, e.g. ``dc09-udp``."""


async def _database_ok(posbon: Posbon) -> bool:
    try:
        await asyncio.wait_for(posbon.db.fetch("SELECT 1 AS ok"), READY_TIMEOUT_S)
    except Exception:  # noqa: BLE001  (any failure to reach the database is what we report)
        return False
    return True


async def _bus_ok(posbon: Posbon) -> bool:
    try:
        return await asyncio.wait_for(posbon.bus.reachable(), READY_TIMEOUT_S)
    except TimeoutError:
        return False


async def _evidence_ok(uploads: Uploads) -> bool:
    try:
        return await asyncio.wait_for(uploads.store.backend.reachable(), READY_TIMEOUT_S)
    except TimeoutError:
        return False


@get(
    "/ready",
    summary="Readiness: database and bus reachable, every part running (no token needed)",
    tags=["system"],
)
async def ready(posbon: Posbon, uploads: UploadsDep) -> Response[Readiness]:
    database, bus, evidence = await asyncio.gather(
        _database_ok(posbon), _bus_ok(posbon), _evidence_ok(uploads)
    )
    failed = posbon.parts.failed()
    ok = database and bus and not failed
    body = Readiness(
        status="ready" if ok else "not_ready",
        database="ok" if database else "unreachable",
        bus="ok" if bus else "unreachable",
        evidence="ok" if evidence else "unreachable",
        failed=failed,
    )
    return Response(body, status_code=200 if ok else 503)


@get(
    "/metrics",
    **allow(Role.ADMIN),
    summary="Prometheus metrics",
    tags=["system"],
    media_type=CONTENT_TYPE_LATEST,
)
async def metrics(posbon: Posbon) -> Response[bytes]:
    return Response(generate_latest(posbon.metrics.registry), media_type=CONTENT_TYPE_LATEST)


class PartStatus(msgspec.Struct, frozen=True):
    name: str
    state: PartState


@get(
    "/api/v1/system/parts",
    **allow(Role.ADMIN),
    summary="The server's long-lived parts (listeners, jobs) and whether each runs",
    tags=["system"],
)
async def list_parts(posbon: Posbon) -> list[PartStatus]:
    return [PartStatus(name, state) for name, state in posbon.parts.states().items()]


@post(
    "/api/v1/system/parts/{name:str}/crash",
    **allow(Role.ADMIN),
    summary="Fault drill: crash a running part on purpose (needs --fault-drills)",
    tags=["system"],
    status_code=202,
)
async def crash_part(posbon: Posbon, name: FromPath[str]) -> PartStatus:
    if not posbon.settings.fault_drills:
        raise Conflict(
            "Fault drills are off; start posbon with --fault-drills (POSBON_FAULT_DRILLS=true) "
            "to crash parts on purpose.",
            code="fault_drills_off",
        )
    try:
        posbon.parts.crash(name)
    except UnknownPart as err:
        known = ", ".join(posbon.parts.states())
        raise NotFound(
            f"No part named {name!r}; the parts are: {known}.", code="no_such_part"
        ) from err
    return PartStatus(name, PartState.RESTARTING)
