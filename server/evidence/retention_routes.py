"""Retention and legal hold over HTTP.

GET   /api/v1/evidence/retention/categories            list (admin, dispatcher)
POST  /api/v1/evidence/retention/categories            create (admin)
PATCH /api/v1/evidence/retention/categories/{name}     retitle or lengthen (admin)
POST  /api/v1/evidence/retention/run                   run the retention job now (admin)
GET   /api/v1/recordings/{id}/retention                category, expiry, pending, holds
POST  /api/v1/recordings/{id}/retention                change the category (202: pending)
POST  /api/v1/recordings/{id}/retention/confirm        a second person confirms (admin)
POST  /api/v1/incidents/{id}/retention                 the incident's category
POST  /api/v1/recordings/{id}/holds                    hold one recording
POST  /api/v1/incidents/{id}/holds                     hold an incident's evidence
GET   /api/v1/evidence/holds                           holds (?active=false: all)
POST  /api/v1/evidence/holds/{id}/release              release a hold (admin)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Response, Router, get, patch, post
from litestar.params import FromPath, QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.evidence import holds, retention, retention_changes, retention_job
from server.evidence.retention_changes import Outcome
from server.evidence.retention_schemas import (
    Category,
    CategoryIn,
    CategoryUpdateIn,
    ConfirmIn,
    Hold,
    HoldIn,
    IncidentCategory,
    Retention,
    RetentionChangeIn,
    RunReport,
)
from server.http_params import AnyRequest, JSONBody, PathId
from server.state import Posbon
from server.uploads.service import UploadsDep

READERS = allow(Role.ADMIN, Role.DISPATCHER)
ADMIN = allow(Role.ADMIN)
RecordingId = FromPath[str]
Active = Annotated[
    bool, QueryParameter(name="active", description="only holds in force (default) or all")
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@get("/evidence/retention/categories", **READERS, summary="Retention categories")
async def list_categories(posbon: Posbon) -> list[Category]:
    return await retention.list_categories(posbon.db)


@post("/evidence/retention/categories", **ADMIN, summary="Create a retention category")
async def create_category(
    request: AnyRequest, posbon: Posbon, data: JSONBody[CategoryIn]
) -> Category:
    return await retention.create_category(posbon.db, data, principal_of(request), _now())


@patch("/evidence/retention/categories/{name:str}", **ADMIN, summary="Retitle or lengthen")
async def update_category(
    request: AnyRequest, posbon: Posbon, name: FromPath[str], data: JSONBody[CategoryUpdateIn]
) -> Category:
    return await retention.update_category(posbon.db, name, data, principal_of(request), _now())


@post("/evidence/retention/run", **ADMIN, status_code=200, summary="Run the retention job now")
async def run_now(posbon: Posbon, uploads: UploadsDep) -> RunReport:
    return await retention_job.run_once(posbon.db, uploads.store.backend, _now())


@get("/recordings/{recording_id:str}/retention", **READERS, summary="A recording's retention")
async def recording_retention(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId
) -> Retention:
    return await retention.view(posbon.db, recording_id, principal_of(request), _now())


@post("/recordings/{recording_id:str}/retention", **READERS, summary="Change the category")
async def change(
    request: AnyRequest,
    posbon: Posbon,
    recording_id: RecordingId,
    data: JSONBody[RetentionChangeIn],
) -> Response[Retention]:
    who = principal_of(request)
    outcome = await retention_changes.change(posbon.db, recording_id, data, who, _now())
    shown = await retention.view(posbon.db, recording_id, who, _now())
    return Response(shown, status_code=202 if outcome is Outcome.PENDING else 200)


@post(
    "/recordings/{recording_id:str}/retention/confirm",
    **ADMIN,
    status_code=200,
    summary="Confirm a shorter category (a second person)",
)
async def confirm(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId, data: JSONBody[ConfirmIn]
) -> Retention:
    who = principal_of(request)
    await retention_changes.confirm(posbon.db, recording_id, data, who, _now())
    return await retention.view(posbon.db, recording_id, who, _now())


@post(
    "/incidents/{incident_id:int}/retention",
    **READERS,
    status_code=200,
    summary="Incident category",
)
async def incident_category(
    request: AnyRequest, posbon: Posbon, incident_id: PathId, data: JSONBody[RetentionChangeIn]
) -> IncidentCategory:
    who = principal_of(request)
    return await retention_changes.set_for_incident(posbon.db, incident_id, data, who, _now())


@post("/recordings/{recording_id:str}/holds", **READERS, summary="Hold a recording")
async def hold_recording(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId, data: JSONBody[HoldIn]
) -> Hold:
    who = principal_of(request)
    return await holds.place_on_recording(posbon.db, recording_id, data.reason, who, _now())


@post("/incidents/{incident_id:int}/holds", **READERS, summary="Hold an incident's evidence")
async def hold_incident(
    request: AnyRequest, posbon: Posbon, incident_id: PathId, data: JSONBody[HoldIn]
) -> Hold:
    who = principal_of(request)
    return await holds.place_on_incident(posbon.db, incident_id, data.reason, who, _now())


@get("/evidence/holds", **READERS, summary="Legal holds")
async def list_holds(posbon: Posbon, active: Active = True) -> list[Hold]:
    return await holds.listing(posbon.db, active_only=active)


@post("/evidence/holds/{hold_id:int}/release", **ADMIN, status_code=200, summary="Release a hold")
async def release_hold(
    request: AnyRequest, posbon: Posbon, hold_id: PathId, data: JSONBody[HoldIn]
) -> Hold:
    return await holds.release(posbon.db, hold_id, data.reason, principal_of(request), _now())


router = Router(
    path="/api/v1",
    tags=["retention"],
    route_handlers=[
        list_categories,
        create_category,
        update_category,
        run_now,
        recording_retention,
        change,
        confirm,
        incident_category,
        hold_recording,
        hold_incident,
        list_holds,
        release_hold,
    ],
)
