import datetime as dt
from typing import Annotated

from litestar import Response, Router, get, post
from litestar.params import FromQuery, QueryParameter

from server.alerts import repository, service
from server.alerts.schemas import MAX_ALERT_BODY_BYTES, Alert, AlertIn, AlertKind
from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.auth.scope import alert_reach, require_site
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.state import Posbon
from server.text import MAX_ID

READERS = allow(Role.ADMIN, Role.DISPATCHER)


@get("/", **READERS, summary="List alerts, newest first")
async def list_alerts(
    request: AnyRequest,
    posbon: Posbon,
    kind: FromQuery[AlertKind | None] = None,
    priority: Annotated[int | None, QueryParameter(ge=1, le=4)] = None,
    incident_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
    since: FromQuery[dt.datetime | None] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[Alert]:
    return await repository.search(
        posbon.db,
        kind=kind,
        priority=priority,
        incident_id=incident_id,
        since=since,
        limit=limit,
        offset=offset,
        within=alert_reach(principal_of(request).scope),
    )


@get("/{alert_id:int}", **READERS, summary="Get one alert")
async def get_alert(posbon: Posbon, alert_id: PathId) -> Alert:
    return await service.get_alert(posbon.db, alert_id)


@post(
    "/",
    **allow(Role.DISPATCHER, Role.CAMERA, Role.DEVICE),
    summary="Raise an alert",
    description="Opens an incident and notifies every dispatcher. A repeated external_id "
    "with the same alert returns the stored alert with 200 and creates nothing; with a "
    "different alert it is a 409 `external_id_reused`.",
    request_max_body_size=MAX_ALERT_BODY_BYTES,
)
async def create_alert(
    request: AnyRequest, posbon: Posbon, data: JSONBody[AlertIn]
) -> Response[Alert]:
    who = principal_of(request)
    await require_site(posbon.db, who, data.site_id)
    alert, created = await service.create_manual(posbon.db, posbon.sync_clock, data, who)
    if created:
        posbon.metrics.alerts.labels(alert.source, alert.kind.value).inc()
    return Response(alert, status_code=201 if created else 200)


router = Router(
    path="/api/v1/alerts", route_handlers=[list_alerts, get_alert, create_alert], tags=["alerts"]
)
