"""Sync over HTTP: push, pull and snapshot for devices; conflicts and rejections for review.

The device routes read and write raw bytes: the sync package owns the wire format (tolerant
msgspec messages), so litestar neither parses nor re-encodes them.
"""

import uuid
from typing import Annotated, Final

from litestar import MediaType, Response, Router, get, post
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.state import Posbon
from server.sync import admin_repository, service
from server.sync.schemas import ConflictOut, ConflictStatus, DeviceOut, RejectedOut, ResolveIn
from sync.messages import Scope, SnapshotRequest

DEVICES = allow(Role.CREW, Role.UPLOAD_STATION, Role.DISPATCHER, Role.ADMIN)
REVIEWERS = allow(Role.DISPATCHER, Role.ADMIN)
NDJSON: Final = "application/x-ndjson"
PageRows = Annotated[
    int, QueryParameter(ge=1, le=service.PULL_LIMITS.max_changes, description="Rows per line.")
]


def _json(body: bytes) -> Response[bytes]:
    return Response(body, media_type=MediaType.JSON)


@post(
    "/push",
    **DEVICES,
    status_code=200,
    summary="Push an ordered batch of mutations",
    description="Idempotent: a resent mutation gets its stored result back. 409 `gap` with "
    "`expected` for a hole, 413 with `limits`, 426 for a schema_version too old.",
)
async def push(posbon: Posbon, request: AnyRequest) -> Response[bytes]:
    window_s = posbon.settings.sync_report_window_s
    body = await request.body()
    who = principal_of(request)
    return _json(await service.push(posbon.db, posbon.sync_clock, who, body, window_s))


@post(
    "/pull",
    **DEVICES,
    status_code=200,
    summary="Pull a page of changes by per-scope cursors",
    description="Scopes newly allowed come back in `reset` (fetch /sync/v1/snapshot), scopes "
    "no longer allowed in `evict`.",
)
async def pull(posbon: Posbon, request: AnyRequest) -> Response[bytes]:
    window_s = posbon.settings.sync_report_window_s
    body = await request.body()
    who = principal_of(request)
    return _json(await service.pull(posbon.db, posbon.sync_clock, who, body, window_s))


@get(
    "/snapshot",
    **DEVICES,
    summary="Stream a scope's current rows",
    description="NDJSON, one page per line, ordered by id; resume with `after_id` = the last "
    "id received, and pull from the `cursor` of the first page once done.",
)
async def snapshot(
    posbon: Posbon,
    request: AnyRequest,
    sync_scope: Annotated[Scope, QueryParameter(name="scope", description="The scope to fetch.")],
    device_id: FromQuery[uuid.UUID],
    schema_version: FromQuery[int],
    after_id: FromQuery[uuid.UUID | None] = None,
    limit: PageRows = service.PULL_LIMITS.max_changes,
) -> Stream:
    wanted = SnapshotRequest(
        schema_version=schema_version,
        device_id=device_id,
        scope=sync_scope,
        after_id=after_id,
        limit=limit,
    )
    window_s = posbon.settings.sync_report_window_s
    lines = await service.open_snapshot(posbon.db, principal_of(request), wanted, window_s)
    return Stream(lines, media_type=NDJSON)


@get("/conflicts", **REVIEWERS, summary="Values that lost to a concurrent edit")
async def list_conflicts(
    posbon: Posbon,
    request: AnyRequest,
    status: FromQuery[ConflictStatus | None] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[ConflictOut]:
    return await service.list_conflicts(posbon.db, principal_of(request), status, limit, offset)


@post(
    "/conflicts/{conflict_id:int}/resolve",
    **REVIEWERS,
    status_code=200,
    summary="Resolve a conflict",
    description="keep=winner closes it; keep=loser writes the losing value again, after the "
    "current one, and every device pulls it.",
)
async def resolve_conflict(
    posbon: Posbon, request: AnyRequest, conflict_id: PathId, data: JSONBody[ResolveIn]
) -> ConflictOut:
    who = principal_of(request)
    return await service.resolve_conflict(posbon.db, posbon.sync_clock, conflict_id, data.keep, who)


@get("/rejected", **REVIEWERS, summary="Mutations refused for good, newest first")
async def list_rejected(
    posbon: Posbon, limit: Limit = 100, offset: Offset = 0
) -> list[RejectedOut]:
    return await admin_repository.rejected(posbon.db, limit, offset)


@get("/devices", **REVIEWERS, summary="Syncing devices and their clock offsets")
async def list_devices(posbon: Posbon, limit: Limit = 100, offset: Offset = 0) -> list[DeviceOut]:
    return await admin_repository.devices(posbon.db, limit, offset)


router = Router(path="/sync/v1", route_handlers=[push, pull, snapshot], tags=["sync"])
review_router = Router(
    path="/api/v1/sync",
    route_handlers=[list_conflicts, resolve_conflict, list_rejected, list_devices],
    tags=["sync"],
)
