"""Searching the plate read log, and the audit of those searches.

Who may search: admins and dispatchers. The dispatcher is the one who, at 3 a.m., is told a
stolen car's plate and must say where it was seen; making them wait for an admin would make the
log useless when it matters. The log is still where ordinary people's cars were, so every search
is audited (who, when, what was asked, how many reads it found) before its answer is sent, and
only admins read that audit. Crews, cameras and devices may not search at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Router, get
from litestar.params import FromQuery, QueryParameter

from recognition.plate_format import edit_distance
from server.audit.log import record
from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.auth.scope import of_cameras
from server.errors import BadRequest
from server.http_params import AnyRequest, Limit, Offset
from server.plates import reads_repository
from server.plates.reads_match import (
    MAX_QUERY_CHARS,
    MIN_QUERY_CHARS,
    search_key,
    within_one_edit,
)
from server.plates.reads_repository import ReadFilter, SearchAudit
from server.plates.service import PlateRuntimeDep
from server.text import MAX_ID

SEARCHERS = allow(Role.ADMIN, Role.DISPATCHER)
AUDITORS = allow(Role.ADMIN)
PlateQuery = Annotated[
    str,
    QueryParameter(
        max_length=64,
        description="The plate as written or as heard: spaces and dashes are ignored, O/0, "
        "I/1, B/8, S/5 and Z/2 count as the same, and one character more, less or different "
        "still matches.",
    ),
]
CameraId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="Only this camera.")]


class PlateReadOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    camera_id: int
    camera: str | None  # null once the camera is deleted
    site_id: int | None
    plate: str
    display: str
    confidence: float
    crop_id: int | None  # an alert's crop (GET /api/v1/recognition/crops/{id}); else null
    read_at: dt.datetime
    distance: int  # 0: the same plate once folded; 1: one character off


def _checked_key(plate: str) -> str:
    key = search_key(plate)
    if not MIN_QUERY_CHARS <= len(key) <= MAX_QUERY_CHARS:
        raise BadRequest(
            f"Give the plate to search for as {MIN_QUERY_CHARS} to {MAX_QUERY_CHARS} letters "
            "or digits, e.g. 01 A 123 BC.",
            code="invalid_plate_query",
        )
    return key


def _checked_period(since: dt.datetime | None, until: dt.datetime | None) -> None:
    if (since is not None and since.tzinfo is None) or (until is not None and until.tzinfo is None):
        raise BadRequest(
            "Give since and until with a time zone, e.g. 2026-11-01T00:00:00Z.", code="naive_time"
        )
    if since is not None and until is not None and since >= until:
        raise BadRequest("since must be before until.", code="empty_period")


@get(
    "/reads",
    **SEARCHERS,
    summary="Search the plate read log",
    description="Reads of every camera (listed plates or not) within the retention period, "
    "newest first: those within one character of `plate` once spaces and dashes are dropped and "
    "O/0, I/1, B/8, S/5, Z/2 folded. `since` and `until` (ISO 8601 with a time zone) bound the "
    "read time, both inclusive. Every search is audited (GET /api/v1/plates/reads/searches).",
)
async def search_reads(
    request: AnyRequest,
    recognition: PlateRuntimeDep,
    plate: PlateQuery,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
    camera: CameraId = None,
    limit: Limit = 100,
) -> list[PlateReadOut]:
    key = _checked_key(plate)
    _checked_period(since, until)
    where = ReadFilter(
        keys=within_one_edit(key),
        since=since,
        until=until,
        camera_id=camera,
        limit=limit,
        within=of_cameras(principal_of(request).scope, "r.camera_id"),
    )
    db = recognition.db
    found = await reads_repository.find_reads(db, where)
    async with db.write():  # no audit row, no answer
        await reads_repository.insert_search(
            db, principal_of(request), plate, where, key, len(found)
        )
        await record(
            db,
            action="plate_reads.search",
            actor=principal_of(request),
            target=f"plate:{key}",
            after={"plate": plate, "since": since, "until": until, "camera_id": camera},
            detail=f"{len(found)} reads",
        )
    return [
        PlateReadOut(
            id=read.id,
            camera_id=read.camera_id,
            camera=read.camera,
            site_id=read.site_id,
            plate=read.plate,
            display=read.display,
            confidence=read.confidence,
            crop_id=read.crop_id,
            read_at=read.read_at,
            distance=min(edit_distance(key, read.search_key, 1), 1),
        )
        for read in found
    ]


@get(
    "/reads/searches",
    **AUDITORS,
    summary="The audit of plate read log searches",
    description="Every search of the plate read log, newest first: the token (id, name, role), "
    "when, the plate as asked, its search key, the filters and how many reads it found.",
)
async def list_searches(
    recognition: PlateRuntimeDep, limit: Limit = 100, offset: Offset = 0
) -> list[SearchAudit]:
    return await reads_repository.list_searches(recognition.db, limit, offset)


router = Router(
    path="/api/v1/plates",
    route_handlers=[search_reads, list_searches],
    tags=["plates"],
)
