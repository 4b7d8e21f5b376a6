from typing import Annotated, Literal

from litestar import Response, Router, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.chain import canonical_json
from server.custody import service
from server.custody.ranges import ByteRange, Unsatisfiable, parse_range
from server.custody.schemas import CustodyCheck, CustodyEntry, CustodyKind
from server.custody.schemas_in import CategoryIn, LinkIn
from server.http_params import AnyRequest, JSONBody
from server.state import Posbon

READERS = allow(Role.admin, Role.dispatcher)
RecordingId = FromPath[str]
Format = Annotated[Literal["json", "csv"], QueryParameter(name="format", description="json or csv")]


@get("/{recording_id:str}/custody", **READERS, summary="The recording's custody log")
async def custody_log(
    request: AnyRequest, posbon: Posbon, recording_id: RecordingId
) -> list[CustodyEntry]:
    return await service.open_chain(posbon.db, recording_id, principal_of(request))


@get("/{recording_id:str}/custody/verify", **READERS, summary="Check the chain and the file")
async def verify(request: AnyRequest, posbon: Posbon, recording_id: RecordingId) -> CustodyCheck:
    store = posbon.uploads.store
    return await service.verify_one(posbon.db, store, recording_id, principal_of(request))


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


@get("/{recording_id:str}/file", **READERS, summary="Play or download the evidence (Range)")
async def evidence(request: AnyRequest, posbon: Posbon, recording_id: RecordingId) -> Stream:
    store = posbon.uploads.store
    who = principal_of(request)
    size, record = await service.evidence_file(posbon.db, store, recording_id, who)
    try:
        span = parse_range(request.headers.get("range"), size)
    except Unsatisfiable:
        return Stream(iter(()), status_code=416, headers={"Content-Range": f"bytes */{size}"})
    whole = span is None
    span = span or ByteRange(0, size - 1)
    await service.log(
        posbon.db,
        recording_id,
        who,
        CustodyKind.viewed,
        "evidence played",
        {"bytes": [span.start, span.end], "sha256": record.sha256},
    )
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(span.length),
        "ETag": f'"{record.sha256}"',
    }
    if not whole:
        headers["Content-Range"] = f"bytes {span.start}-{span.end}/{size}"
    return Stream(
        store.backend.read(str(record.sha256), span.start, span.length),
        status_code=200 if whole else 206,
        headers=headers,
        media_type="application/octet-stream",
    )


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
    route_handlers=[custody_log, verify, export, evidence, link, category],
)
