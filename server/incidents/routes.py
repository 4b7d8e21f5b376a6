"""/api/v1/incidents. The router provides the incident services its handlers take besides the
app state: `policy` (a dispatch's deadlines) and `eta` (the estimator that ranks crews), both
built from the settings."""

import datetime as dt
from typing import Annotated, Literal

from litestar import Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.auth.scope import incident_reach
from server.errors import NotFound
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.incidents import deadlines, repository, service, timeline
from server.incidents.repository import IncidentFilter
from server.incidents.schemas import (
    ChainCheck,
    CrewSuggestion,
    DispatchIn,
    Incident,
    NoteIn,
    ResolveIn,
    StatusIn,
    TimelineEntry,
)
from server.incidents.service import DispatchPolicy
from server.incidents.vocabulary import VOCABULARY, Vocabulary
from server.routing import EtaEstimator
from server.state import Posbon
from server.sync import reports
from server.sync.reports import IncidentReport
from server.text import MAX_ID, NO_NUL
from sync.lattices import IncidentStatus

Policy = NamedDependency[DispatchPolicy]
Eta = NamedDependency[EtaEstimator]
READERS = allow(Role.ADMIN, Role.DISPATCHER)
DISPATCHERS = allow(Role.DISPATCHER, Role.ADMIN)
ACTORS = allow(Role.DISPATCHER, Role.ADMIN, Role.CREW)


@get(
    "/",
    **READERS,
    summary="List incidents",
    description="sort=queue gives priority then age (the dispatcher's queue); "
    "sort=recent gives newest first.",
)
async def list_incidents(
    request: AnyRequest,
    posbon: Posbon,
    status: FromQuery[list[IncidentStatus] | None] = None,
    priority: Annotated[int | None, QueryParameter(ge=1, le=4)] = None,
    kind: Annotated[str | None, QueryParameter(max_length=40, pattern=NO_NUL)] = None,
    crew_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
    since: FromQuery[dt.datetime | None] = None,
    sort: FromQuery[Literal["queue", "recent"]] = "recent",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[Incident]:
    where = IncidentFilter(
        statuses=status or (),
        priority=priority,
        kind=kind,
        crew_id=crew_id,
        since=since,
        queue_order=sort == "queue",
        limit=limit,
        offset=offset,
        within=incident_reach(principal_of(request).scope),
    )
    return await repository.search(posbon.db, where)


async def _visible(posbon: Posbon, request: AnyRequest, incident_id: int) -> Incident:
    incident = await repository.find(posbon.db, incident_id)
    who = principal_of(request)
    if incident is None or (who.role is Role.CREW and incident.crew_id != who.crew_id):
        raise NotFound(f"There is no incident with id {incident_id} for you.")
    return incident


@get(
    "/vocabulary",
    **ACTORS,
    summary="The incident statuses, the moves between them and the outcomes",
    description="What the web apps draw their buttons and forms from; each page shell also "
    "carries it embedded.",
)
async def get_vocabulary() -> Vocabulary:
    return VOCABULARY


@get("/{incident_id:int}", **ACTORS, summary="Get one incident")
async def get_incident(posbon: Posbon, request: AnyRequest, incident_id: PathId) -> Incident:
    return await _visible(posbon, request, incident_id)


@get("/{incident_id:int}/timeline", **READERS, summary="The incident's timeline")
async def get_timeline(posbon: Posbon, incident_id: PathId) -> list[TimelineEntry]:
    await service.require(posbon.db, incident_id)
    return await timeline.entries(posbon.db, incident_id)


@get("/{incident_id:int}/timeline/verify", **READERS, summary="Check the timeline's hash chain")
async def verify_timeline(posbon: Posbon, incident_id: PathId) -> ChainCheck:
    await service.require(posbon.db, incident_id)
    return timeline.verify(incident_id, await timeline.entries(posbon.db, incident_id))


@get(
    "/{incident_id:int}/report",
    **READERS,
    summary="The crew's report as synced so far",
    description="Narrative, outcome, persons and detentions merged from the crew's sync "
    "pushes; empty until a crew syncs one. A `report` event on the dispatch stream says when "
    "it changed.",
)
async def get_report(posbon: Posbon, incident_id: PathId) -> IncidentReport:
    await service.require(posbon.db, incident_id)
    return await reports.read(posbon.db, incident_id)


@get("/{incident_id:int}/suggestions", **READERS, summary="Crews to send, nearest first")
async def suggestions(posbon: Posbon, eta: Eta, incident_id: PathId) -> list[CrewSuggestion]:
    incident = await service.require(posbon.db, incident_id)
    return await deadlines.suggest_crews(posbon.db, incident, estimator=eta)


@post("/{incident_id:int}/dispatch", **DISPATCHERS, status_code=200, summary="Send a crew")
async def dispatch(
    posbon: Posbon,
    policy: Policy,
    request: AnyRequest,
    incident_id: PathId,
    data: JSONBody[DispatchIn],
) -> Incident:
    who = principal_of(request)
    return await service.dispatch(posbon.db, posbon.sync_clock, incident_id, data, who, policy)


@post(
    "/{incident_id:int}/status",
    **ACTORS,
    status_code=200,
    summary="Change the status",
    description="A repeated op_id returns the first result and changes nothing.",
)
async def change_status(
    posbon: Posbon, request: AnyRequest, incident_id: PathId, data: JSONBody[StatusIn]
) -> Incident:
    who = principal_of(request)
    return await service.change_status(posbon.db, posbon.sync_clock, incident_id, data, who)


@post(
    "/{incident_id:int}/resolve",
    **ACTORS,
    status_code=200,
    summary="Resolve with an outcome",
    description="A repeated op_id returns the first result and changes nothing.",
)
async def resolve(
    posbon: Posbon, request: AnyRequest, incident_id: PathId, data: JSONBody[ResolveIn]
) -> Incident:
    who = principal_of(request)
    return await service.resolve(posbon.db, posbon.sync_clock, incident_id, data, who)


@post("/{incident_id:int}/notes", **ACTORS, status_code=204, summary="Add a note")
async def add_note(
    posbon: Posbon, request: AnyRequest, incident_id: PathId, data: JSONBody[NoteIn]
) -> None:
    await service.add_note(posbon.db, incident_id, data, principal_of(request))


def _policy(posbon: Posbon) -> DispatchPolicy:
    return DispatchPolicy.of(posbon.settings)


def _eta(posbon: Posbon) -> EtaEstimator:
    return deadlines.estimator_for(posbon.settings)


router = Router(
    path="/api/v1/incidents",
    route_handlers=[
        list_incidents,
        get_vocabulary,
        get_incident,
        get_timeline,
        verify_timeline,
        get_report,
        suggestions,
        dispatch,
        change_status,
        resolve,
        add_note,
    ],
    tags=["incidents"],
    dependencies={
        "policy": Provide(_policy, sync_to_thread=False),
        "eta": Provide(_eta, sync_to_thread=False),
    },
)
