"""/api/v1/plans (admins write, dispatchers read) and the checklist of an incident's plan under
/api/v1/incidents/{id}/plan (dispatchers and admins)."""

from typing import Annotated

from litestar import Router, get, post, put
from litestar.params import FromQuery, PathParameter, QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.import_routes import import_route
from server.plans import checklist, repository, service
from server.plans.imports import import_plans
from server.plans.schemas import (
    MAX_STEPS,
    Checklist,
    OverrideIn,
    Plan,
    PlanIn,
    PlanVersion,
    StepIn,
)
from server.state import Posbon
from server.text import NO_NUL

ADMINS = allow(Role.ADMIN)
READERS = allow(Role.ADMIN, Role.DISPATCHER)
DISPATCHERS = allow(Role.DISPATCHER, Role.ADMIN)
Version = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="The plan's version.")]
StepIndex = Annotated[
    int, PathParameter(ge=0, lt=MAX_STEPS, description="The step's place in the plan, from 0.")
]


@get("/", **READERS, summary="List action plans (current versions)")
async def list_plans(
    posbon: Posbon,
    alert_kind: Annotated[str | None, QueryParameter(max_length=40, pattern=NO_NUL)] = None,
    active: FromQuery[bool | None] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[Plan]:
    return await repository.search(
        posbon.db, alert_kind=alert_kind, active=active, limit=limit, offset=offset
    )


@get("/{plan_id:int}", **READERS, summary="Get one action plan (its current version)")
async def get_plan(posbon: Posbon, plan_id: PathId) -> Plan:
    return await service.get_plan(posbon.db, plan_id)


@get(
    "/{plan_id:int}/versions/{version:int}",
    **READERS,
    summary="Get one stored version of a plan, as it was written",
)
async def get_version(posbon: Posbon, plan_id: PathId, version: Version) -> PlanVersion:
    return await service.get_version(posbon.db, plan_id, version)


@post("/", **ADMINS, summary="Create an action plan (version 1)")
async def create_plan(posbon: Posbon, request: AnyRequest, data: JSONBody[PlanIn]) -> Plan:
    return await service.create_plan(posbon.db, data, principal_of(request).actor)


@put(
    "/{plan_id:int}",
    **ADMINS,
    summary="Change an action plan: stores its next version",
    description="Older versions are kept unchanged; incidents keep the version they follow. "
    "The same plan sent again stores nothing.",
)
async def update_plan(
    posbon: Posbon, request: AnyRequest, plan_id: PathId, data: JSONBody[PlanIn]
) -> Plan:
    return await service.update_plan(posbon.db, plan_id, data, principal_of(request).actor)


@post(
    "/{plan_id:int}/deactivate",
    **ADMINS,
    status_code=200,
    summary="Deactivate an action plan: new incidents no longer follow it",
)
async def deactivate_plan(posbon: Posbon, plan_id: PathId) -> Plan:
    return await service.deactivate_plan(posbon.db, plan_id)


@get(
    "/{incident_id:int}/plan",
    **READERS,
    summary="The incident's action plan as a checklist",
    description="null when the incident follows no plan (none covered it when it opened).",
)
async def get_checklist(posbon: Posbon, incident_id: PathId) -> Checklist | None:
    return await checklist.read_if_any(posbon.db, incident_id)


@post(
    "/{incident_id:int}/plan/steps/{index:int}",
    **DISPATCHERS,
    status_code=200,
    summary="Mark a step of the incident's plan done, skipped or failed",
    description="Skipped and failed need a reason (422 plan_reason_required). Each mark is a "
    "timeline entry and a `plan` event on the dispatcher stream.",
)
async def mark_step(
    posbon: Posbon,
    request: AnyRequest,
    incident_id: PathId,
    index: StepIndex,
    data: JSONBody[StepIn],
) -> Checklist:
    return await checklist.mark_step(posbon.db, incident_id, index, data, principal_of(request))


@post(
    "/{incident_id:int}/plan/override",
    **DISPATCHERS,
    status_code=200,
    summary="Let the incident close with required plan steps open, for a reason",
    description="Recorded on the timeline. A close may instead carry `plan_override`.",
)
async def override_plan(
    posbon: Posbon, request: AnyRequest, incident_id: PathId, data: JSONBody[OverrideIn]
) -> Checklist:
    return await checklist.override(posbon.db, incident_id, data, principal_of(request))


router = Router(
    path="/api/v1/plans",
    route_handlers=[
        list_plans,
        get_plan,
        get_version,
        create_plan,
        update_plan,
        deactivate_plan,
        import_route(import_plans, "plans"),
    ],
    tags=["plans"],
)
incident_router = Router(
    path="/api/v1/incidents",
    route_handlers=[get_checklist, mark_step, override_plan],
    tags=["plans"],
)
