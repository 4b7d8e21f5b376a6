"""/api/v1/incidents/{id}/notifications and /api/v1/notifications: queue a notice, and see what
became of each (pending ones included: a notice whose gateway is down stays listed as pending)."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.params import QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.notify import repository, service
from server.notify.schemas import Notice, NoticeChannels, NoticeIn, NoticeState
from server.state import Posbon

DISPATCHERS = allow(Role.DISPATCHER, Role.ADMIN)


@post(
    "/incidents/{incident_id:int}/notifications",
    **DISPATCHERS,
    status_code=202,
    summary="Notify a key-holder or the duty desk by SMS or Telegram",
    description="Answers once the notice is stored; the sender sends it, retrying while the "
    "gateway is down. Each change (submitted, delivered, failed, retrying) goes on the "
    "incident's timeline. 409 when the channel (or the duty desk) is not configured.",
)
async def notify(
    posbon: Posbon, request: AnyRequest, incident_id: PathId, data: JSONBody[NoticeIn]
) -> Notice:
    who = principal_of(request)
    return await service.queue(posbon.db, posbon.settings, incident_id, data, who)


@get(
    "/incidents/{incident_id:int}/notifications",
    **DISPATCHERS,
    summary="The incident's notices and their states",
)
async def incident_notices(posbon: Posbon, incident_id: PathId) -> list[Notice]:
    return await service.of_incident(posbon.db, incident_id)


@get(
    "/notifications",
    **DISPATCHERS,
    summary="Notices by state",
    description="state=pending lists the notices still waiting to be sent (oldest first).",
)
async def notices(
    posbon: Posbon,
    # `state` is litestar's reserved name for the app state: the query parameter keeps it.
    states: Annotated[list[NoticeState] | None, QueryParameter(name="state")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[Notice]:
    return await repository.in_states(posbon.db, states or (), limit, offset)


@get(
    "/notifications/channels",
    **DISPATCHERS,
    summary="Which notice channels are configured",
    description="The dispatcher page offers SMS, Telegram and the duty desk only where they "
    "are on; a notice on a channel that is off answers 409 anyway.",
)
async def channels(posbon: Posbon) -> NoticeChannels:
    return service.channels(posbon.settings)


router = Router(
    path="/api/v1",
    route_handlers=[notify, incident_notices, notices, channels],
    tags=["notifications"],
)
