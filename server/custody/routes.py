"""A recording's custody log over HTTP: read it, export it, link the recording to an incident,
change its category. Playback and the check of the file sit beside these, under the same path,
in server/evidence/file_routes.py (the file is kept by the upload that verified it).
"""

from typing import Annotated, Literal

from litestar import Response, Router, get, post
from litestar.params import FromPath, QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.chain import canonical_json
from server.custody import service
from server.custody.schemas import CustodyEntry
from server.custody.schemas_in import CategoryIn, LinkIn
from server.http_params import AnyRequest, JSONBody
from server.state import Posbon

READERS = allow(Role.ADMIN, Role.DISPATCHER)
RecordingId = FromPath[str]
Format = Annotated[Literal["json", "csv"], QueryParameter(name="format", description="json or csv")]


@get("/{recording_id:str}/custody", **READERS, summary="The recording's custody log")
async def custody_log(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId
) -> list[CustodyEntry]:
    return await service.open_chain(posbon.db, recording_id, principal_of(request))


@get("/{recording_id:str}/custody/export", **READERS, summary="Export the custody log")
async def export(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId, as_format: Format = "json"
) -> Response[bytes]:
    chain = await service.export(posbon.db, recording_id, principal_of(request), as_format)
    if as_format == "csv":
        return Response(
            service.as_csv(chain).encode(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{recording_id}-custody.csv"'},
        )
    body = canonical_json(chain).encode()
    return Response(body, media_type="application/json")


@post("/{recording_id:str}/links", **READERS, status_code=204, summary="Link to an incident")
async def link(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId, data: JSONBody[LinkIn]
) -> None:
    who = principal_of(request)
    await service.link(posbon.db, recording_id, data.incident_id, data.reason, who)


@post("/{recording_id:str}/category", **READERS, status_code=204, summary="Change the category")
async def category(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId, data: JSONBody[CategoryIn]
) -> None:
    who = principal_of(request)
    await service.change_category(posbon.db, recording_id, data.category, data.reason, who)


router = Router(
    path="/api/v1/recordings",
    tags=["recordings"],
    route_handlers=[custody_log, export, link, category],
)
