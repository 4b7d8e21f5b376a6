"""/health (the one unauthenticated route) and /metrics."""

from typing import Literal

import msgspec
from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from server.auth.guards import allow
from server.auth.schemas import Role
from server.state import Posbon


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


@get(
    "/metrics",
    **allow(Role.admin),
    summary="Prometheus metrics",
    tags=["system"],
    media_type=CONTENT_TYPE_LATEST,
)
async def metrics(posbon: Posbon) -> Response[bytes]:
    return Response(generate_latest(posbon.metrics.registry), media_type=CONTENT_TYPE_LATEST)
