"""tus 1.0 at /uploads/: OPTIONS, POST (creation, creation-with-upload), HEAD, PATCH, DELETE,
and POST with X-HTTP-Method-Override for clients behind proxies that only pass GET and POST.
`router` carries these; the verified files' routes are evidence management's
(server/evidence/file_routes.py)."""

from typing import Any, Final

from litestar import Request, Response, Router, delete, head, patch, post, route
from litestar.exceptions import InternalServerException
from litestar.params import FromPath
from litestar.response import Response as LitestarResponse

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.errors import ErrorBody, error_response
from server.uploads.schemas import UploadRecord
from server.uploads.service import Uploads, UploadsDep
from server.uploads.storage import PartialWrite
from server.uploads.tus import (
    CHECKSUM_ALGORITHMS,
    EXTENSIONS,
    OCTET_STREAM,
    TUS_VERSION,
    TusError,
    require_version,
)

UPLOADERS = allow(Role.UPLOAD_STATION, Role.CREW)
UploadId = FromPath[str]
AnyRequest = Request[Any, Any, Any]
NO_LIMIT: Final = None


def _headers(
    record: UploadRecord | None = None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **(extra or {})}
    if record is not None:
        headers["Upload-Offset"] = str(record.offset)
        headers["Upload-Length"] = str(record.length)
        headers["Upload-Expires"] = record.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return headers


def tus_error_response(request: AnyRequest, exc: TusError) -> LitestarResponse[ErrorBody]:
    headers = _headers(extra={"Tus-Version": TUS_VERSION})
    return error_response(request, exc.status_code, exc.code, exc.detail, headers=headers)


@route("/", http_method=["OPTIONS"], **UPLOADERS, summary="tus capabilities", status_code=204)
async def options(uploads: UploadsDep) -> Response[None]:
    return Response(
        None,
        status_code=204,
        headers=_headers(
            extra={
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": EXTENSIONS,
                "Tus-Max-Size": str(uploads.policy.max_bytes),
                "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
            }
        ),
    )


@post(
    "/",
    **UPLOADERS,
    summary="Start an upload for a synced recording",
    request_max_body_size=NO_LIMIT,
)
async def create(request: AnyRequest, uploads: UploadsDep) -> Response[None]:
    require_version(request.headers)
    override = request.headers.get("x-http-method-override")
    if override:
        raise TusErrorMethod(override)
    record = await uploads.create(request.headers, principal_of(request))
    location = f"/uploads/{record.id}"
    if request.headers.get("content-type", "").startswith(OCTET_STREAM):
        record = await _append(request, uploads, record.id, first=True)
    return Response(None, status_code=201, headers=_headers(record, {"Location": location}))


class TusErrorMethod(TusError):
    code = "method_override"

    def __init__(self, method: str) -> None:
        super().__init__(f"X-HTTP-Method-Override {method} goes to /uploads/<id>.")


@head("/{upload_id:str}", **UPLOADERS, summary="Where to resume")
async def status(request: AnyRequest, uploads: UploadsDep, upload_id: UploadId) -> Response[None]:
    require_version(request.headers)
    record = await uploads.current(upload_id, principal_of(request))
    return Response(None, status_code=200, headers=_headers(record))


async def _append(
    request: AnyRequest, uploads: Uploads, upload_id: str, *, first: bool = False
) -> UploadRecord:
    headers = dict(request.headers)
    if first:
        headers["upload-offset"] = "0"
    return await uploads.append(
        upload_id, headers, request.stream(), principal_of(request), InternalServerException
    )


@patch(
    "/{upload_id:str}",
    **UPLOADERS,
    summary="Append bytes at Upload-Offset",
    request_max_body_size=NO_LIMIT,
    status_code=204,
)
async def append(request: AnyRequest, uploads: UploadsDep, upload_id: UploadId) -> Response[None]:
    require_version(request.headers)
    try:
        record = await _append(request, uploads, upload_id)
    except PartialWrite:
        record = await uploads.current(upload_id)
    return Response(None, status_code=204, headers=_headers(record))


@delete("/{upload_id:str}", **UPLOADERS, summary="Abandon an upload", status_code=204)
async def terminate(
    request: AnyRequest, uploads: UploadsDep, upload_id: UploadId
) -> Response[None]:
    require_version(request.headers)
    await uploads.terminate(upload_id, principal_of(request))
    return Response(None, status_code=204, headers=_headers())


@post(
    "/{upload_id:str}",
    **UPLOADERS,
    summary="X-HTTP-Method-Override for PATCH/DELETE/HEAD",
    request_max_body_size=NO_LIMIT,
    status_code=204,
)
async def overridden(
    request: AnyRequest, uploads: UploadsDep, upload_id: UploadId
) -> Response[None]:
    method = request.headers.get("x-http-method-override", "").upper()
    handlers = {"PATCH": append.fn, "DELETE": terminate.fn, "HEAD": status.fn}
    if method not in handlers:
        raise TusErrorMethod(method or "(none)")
    result: Response[None] = await handlers[method](request, uploads, upload_id)
    return result


tus_router = Router(
    path="/uploads",
    route_handlers=[options, create, status, append, terminate, overridden],
    tags=["uploads"],
)

router = Router(path="/", route_handlers=[tus_router])
"""Every route of the uploads package: tus at /uploads/."""
