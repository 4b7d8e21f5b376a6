"""Redaction over HTTP: start a job on a recording, follow it, edit its tracks, see a frame with
its boxes, render; the derivatives of a recording; and the reviewer's page shell.

The page (`/evidence/redact/{id}`) holds no data, like the dispatcher page: it loads without a
token, asks for one (or takes the dispatcher page's from this tab) and calls the routes below.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Final

from litestar import MediaType, Response, Router, get, post, put
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.custody import service as custody
from server.evidence import derivatives, redaction
from server.evidence.derivatives import Derivative
from server.evidence.redaction_schemas import Redaction, RedactionStart, TrackList
from server.http_params import AnyRequest, JSONBody
from server.state import Posbon
from server.uploads.service import UploadsDep
from server.web.policy import content_security_policy

READERS = allow(Role.ADMIN, Role.DISPATCHER)
PAGE_FILE: Final = Path(__file__).parents[1] / "web" / "static" / "redact" / "index.html"
PAGE_PATH: Final = "/evidence/redact"
MAX_FRAME: Final = 10_000_000
RecordingId = FromPath[str]
RedactionId = FromPath[str]
Boxes = Annotated[bool, QueryParameter(description="Draw the current boxes on the frame.")]
MaxSide = Annotated[
    int | None,
    QueryParameter(ge=16, le=redaction.MAX_THUMBNAIL_PX, description="Scale down to this side."),
]


@post(
    "/api/v1/recordings/{recording_id:str}/redactions",
    **READERS,
    status_code=202,
    summary="Start a redaction: faces and plates are looked for, then a person reviews",
)
async def start(
    request: AnyRequest,
    posbon: Posbon,
    recording_id: RecordingId,
    data: JSONBody[RedactionStart | None] = None,
) -> Redaction:
    body = data or RedactionStart()
    return await redaction.start(posbon.db, recording_id, body, principal_of(request))


@get("/api/v1/recordings/{recording_id:str}/redactions", **READERS, summary="Its redactions")
async def of_recording(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId
) -> list[Redaction]:
    return await redaction.of_recording(posbon.db, recording_id, principal_of(request))


@get(
    "/api/v1/recordings/{recording_id:str}/derivatives",
    **READERS,
    summary="The evidence items made from this recording (redacted copies)",
)
async def derivatives_list(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId
) -> list[Derivative]:
    await custody.require_reader(posbon.db, recording_id, principal_of(request))
    return await derivatives.derivatives(posbon.db, recording_id)


@get("/api/v1/redactions/{redaction_id:str}", **READERS, summary="A redaction: state, boxes")
async def show(request: AnyRequest, posbon: Posbon, redaction_id: RedactionId) -> Redaction:
    return await redaction.open_job(posbon.db, redaction_id, principal_of(request))


@put(
    "/api/v1/redactions/{redaction_id:str}/tracks",
    **READERS,
    summary="Replace the tracks with the reviewer's list",
)
async def edit_tracks(
    request: AnyRequest, posbon: Posbon, redaction_id: RedactionId, data: JSONBody[TrackList]
) -> Redaction:
    who = principal_of(request)
    return await redaction.edit_tracks(posbon.db, redaction_id, data.tracks, who)


@get(
    "/api/v1/redactions/{redaction_id:str}/frames/{frame:int}",
    **READERS,
    summary="One frame of the original as JPEG, its boxes drawn if asked",
    media_type="image/jpeg",
)
async def frame(
    request: AnyRequest,
    posbon: Posbon,
    uploads: UploadsDep,
    redaction_id: RedactionId,
    frame: Annotated[int, FromPath],
    boxes: Boxes = False,
    max_side_px: MaxSide = None,
) -> Response[bytes]:
    jpeg = await redaction.frame(
        posbon.db,
        uploads.store,
        posbon.settings.evidence_path,
        (redaction_id, frame),
        principal_of(request),
        boxes=boxes,
        max_side_px=max_side_px,
    )
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@post(
    "/api/v1/redactions/{redaction_id:str}/render",
    **READERS,
    status_code=202,
    summary="Render the redacted derivative from the reviewed tracks",
)
async def render(request: AnyRequest, posbon: Posbon, redaction_id: RedactionId) -> Redaction:
    return await redaction.request_render(posbon.db, redaction_id, principal_of(request))


@functools.cache
def _page_bytes() -> bytes:
    return PAGE_FILE.read_bytes()


@get(
    f"{PAGE_PATH}/{{redaction_id:str}}",
    include_in_schema=False,
    cache_control=CacheControlHeader(no_cache=True),
)
async def page(posbon: Posbon, redaction_id: RedactionId) -> Response[bytes]:
    """The reviewer's page shell; it reads the redaction's id from its own address."""
    del redaction_id
    headers = {
        "Content-Security-Policy": content_security_policy(posbon.settings.map_tile_url),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(_page_bytes(), media_type=MediaType.HTML, headers=headers)


router = Router(
    path="/",
    tags=["redaction"],
    route_handlers=[start, of_recording, derivatives_list, show, edit_tracks, frame, render, page],
)
