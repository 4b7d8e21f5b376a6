"""The verified evidence file of a recording over HTTP, beside its custody log's routes
(server/custody/routes.py) under /api/v1/recordings: playback with Range, every view logged, and
the check of chain and file together."""

from litestar import Router, get
from litestar.params import FromPath
from litestar.response import Stream

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.custody import service as custody
from server.custody.schemas import CustodyCheck, CustodyKind
from server.evidence import files as evidence_files
from server.evidence.ranged import Unsatisfiable, ranged_stream, requested_span, unsatisfiable
from server.http_params import AnyRequest
from server.state import Posbon
from server.uploads.service import UploadsDep

READERS = allow(Role.ADMIN, Role.DISPATCHER)
RecordingId = FromPath[str]


@get("/{recording_id:str}/custody/verify", **READERS, summary="Check the chain and the file")
async def verify(
    request: AnyRequest, posbon: Posbon, uploads: UploadsDep, recording_id: RecordingId
) -> CustodyCheck:
    store = uploads.store
    return await evidence_files.verify_one(posbon.db, store, recording_id, principal_of(request))


@get("/{recording_id:str}/file", **READERS, summary="Play or download the evidence (Range)")
async def evidence(
    request: AnyRequest, posbon: Posbon, uploads: UploadsDep, recording_id: RecordingId
) -> Stream:
    store = uploads.store
    who = principal_of(request)
    size, record = await evidence_files.evidence_file(posbon.db, store, recording_id, who)
    try:
        span, whole = requested_span(request.headers.get("range"), size)
    except Unsatisfiable:
        return unsatisfiable(size)
    await custody.log(
        posbon.db,
        recording_id,
        who,
        CustodyKind.VIEWED,
        "evidence played",
        {"bytes": [span.start, span.end], "sha256": record.sha256},
    )
    sha256 = str(record.sha256)
    return ranged_stream(
        store.backend.read(sha256, span.start, span.length),
        span,
        size=size,
        whole=whole,
        sha256=sha256,
        media_type="application/octet-stream",
    )


router = Router(path="/api/v1/recordings", tags=["recordings"], route_handlers=[verify, evidence])
