"""Share links over HTTP: staff make, list and revoke them under /api/v1/evidence/shares; the
outside party opens one under /share/<token> with no Posbon token (the path is exempt from the
bearer-token middleware, server/app.py: the link itself is the key).

The page answers in HTML even when it refuses (a person opens it); the file route answers its
refusals as JSON errors like the rest of the API, since a player or a download manager reads it.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from litestar import MediaType, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Stream

from server.auth.guards import allow, client_address, principal_of
from server.auth.schemas import Role
from server.errors import ApiError, Forbidden, request_language
from server.evidence import share_page, sharing
from server.evidence.ranged import Unsatisfiable, ranged_stream, requested_span, unsatisfiable
from server.evidence.share_schemas import (
    RecordingId,
    RevokeIn,
    ShareCreated,
    ShareIn,
    ShareMode,
    ShareOut,
    ShareRecord,
    Viewer,
)
from server.evidence.share_secrets import (
    COOKIE_NAME,
    cookie_admits,
    pin_cookie,
)
from server.http_params import AnyRequest, JSONBody, PathId
from server.state import AppState, Posbon
from server.uploads.service import UploadsDep

STAFF = allow(Role.ADMIN, Role.DISPATCHER)
SHARE_PATH: Final = "/share"
Token = FromPath[str]
RecordingFilter = Annotated[
    str | None, QueryParameter(max_length=36, description="Shares that cover this recording.")
]
IncidentFilter = Annotated[
    int | None, QueryParameter(ge=1, le=2**31 - 1, description="Shares of this incident.")
]
DownloadFlag = Annotated[
    int, QueryParameter(ge=0, le=1, description="1: as an attachment (download mode only).")
]
MEDIA_TYPES: Final = {".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime"}


@post("/", **STAFF, summary="Share evidence with an outside party (the link is shown once)")
async def create_share(
    request: AnyRequest, posbon: Posbon, data: JSONBody[ShareIn]
) -> ShareCreated:
    now = sharing.utc_now()
    rules = sharing.ShareRules.of(posbon.settings)
    share, token = await sharing.create(posbon.db, data, principal_of(request), rules, now)
    path = f"{SHARE_PATH}/{token}"
    url = str(request.base_url).rstrip("/") + path
    return ShareCreated(share=sharing.share_out(share, now), url=url, path=path)


@get("/", **STAFF, summary="Share links, newest first, with their state and use")
async def list_shares(
    request: AnyRequest,
    posbon: Posbon,
    recording_id: RecordingFilter = None,
    incident_id: IncidentFilter = None,
) -> list[ShareOut]:
    who = principal_of(request)
    now = sharing.utc_now()
    return await sharing.listing(posbon.db, who, now, recording_id, incident_id)


@post("/{share_id:int}/revoke", **STAFF, status_code=200, summary="Revoke a share link")
async def revoke_share(
    request: AnyRequest, posbon: Posbon, share_id: PathId, data: JSONBody[RevokeIn]
) -> ShareOut:
    who = principal_of(request)
    return await sharing.revoke(posbon.db, share_id, data.reason, who, sharing.utc_now())


def _viewer(request: AnyRequest) -> Viewer:
    return Viewer(address=client_address(request), user_agent=request.headers.get("user-agent", ""))


def _html(text: str, status: int, language: str) -> Response[bytes]:
    headers = {**share_page.PAGE_HEADERS, "Content-Language": language}
    return Response(text.encode(), status_code=status, media_type=MediaType.HTML, headers=headers)


def _problem(err: ApiError, language: str) -> Response[bytes]:
    locked = err.locked_until if isinstance(err, sharing.ShareLocked) else None
    return _html(share_page.problem_page(err.code, language, locked), err.status_code, language)


def _admitted(request: AnyRequest, share: ShareRecord) -> bool:
    """Whether the share needs no PIN, or this browser gave the right one lately."""
    if share.pin_hash is None:
        return True
    now_ts = sharing.utc_now().timestamp()
    value = request.cookies.get(COOKIE_NAME)
    return cookie_admits(value, share.pin_hash, share.token_sha256, now_ts)


async def _open(state: AppState, token: str, request: AnyRequest, what: str) -> ShareRecord:
    return await sharing.door(state.db, token, _viewer(request), what, sharing.utc_now())


@get("/{token:str}", include_in_schema=False)
async def share_page_route(
    request: AnyRequest, posbon: Posbon, uploads: UploadsDep, token: Token
) -> Response[bytes]:
    language = request_language(request)
    base = f"{SHARE_PATH}/{token}"
    try:
        share = await _open(posbon, token, request, "page")
        if not _admitted(request, share):
            now = sharing.utc_now()
            if share.locked_until is not None and share.locked_until > now:
                raise sharing.locked_error(share.locked_until)
            return _html(share_page.pin_page(base, language), 200, language)
        items = await sharing.items(posbon.db, uploads.store, share)
        await sharing.log_access(
            posbon.db, share, _viewer(request), "page", "served", at=sharing.utc_now()
        )
    except ApiError as err:
        return _problem(err, language)
    return _html(share_page.items_page(share, items, base, language), 200, language)


@post("/{token:str}/pin", include_in_schema=False, status_code=303)
async def share_pin(request: AnyRequest, posbon: Posbon, token: Token) -> Response[Any]:
    language = request_language(request)
    base = f"{SHARE_PATH}/{token}"
    form = await request.form()
    pin = str(form.get("pin", ""))[:64]
    try:
        share = await _open(posbon, token, request, "pin")
        if share.pin_hash is None:
            return Redirect(base, status_code=303)
        now = sharing.utc_now()
        rules = sharing.ShareRules.of(posbon.settings)
        result = await sharing.try_pin(posbon.db, share, pin, _viewer(request), rules, now)
    except ApiError as err:
        return _problem(err, language)
    if result.locked_until is not None:
        return _problem(sharing.locked_error(result.locked_until), language)
    if not result.accepted:
        return _html(share_page.pin_page(base, language, result.tries_left), 403, language)
    expires_ts = int(now.timestamp() + sharing.PIN_SESSION_S)
    cookie = Cookie(
        key=COOKIE_NAME,
        value=pin_cookie(share.pin_hash, share.token_sha256, expires_ts),
        path=base,
        max_age=int(sharing.PIN_SESSION_S),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return Redirect(base, status_code=303, cookies=[cookie])


def _disposition(mode: ShareMode, file_name: str) -> str:
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in file_name)
    return f'{"inline" if mode is ShareMode.VIEW else "attachment"}; filename="{safe}"'


def _media_type(file_name: str) -> str:
    suffix = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


@get("/{token:str}/files/{recording_id:str}", include_in_schema=False)
async def share_file(
    request: AnyRequest,
    posbon: Posbon,
    uploads: UploadsDep,
    token: Token,
    recording_id: FromPath[RecordingId],
    download: DownloadFlag = 0,
) -> Stream:
    viewer = _viewer(request)
    share = await _open(posbon, token, request, "file")
    now = sharing.utc_now()
    if not _admitted(request, share):
        await sharing.log_access(posbon.db, share, viewer, "file", "pin_required", at=now)
        raise Forbidden(
            "This share link needs its PIN: open the link in a browser and enter it first.",
            code="share_pin_required",
        )
    if download and share.mode is ShareMode.VIEW:
        await sharing.log_access(posbon.db, share, viewer, "download", "view_only", at=now)
        raise Forbidden(
            "This share link is for viewing only; it does not allow downloads.",
            code="share_view_only",
        )
    size, sha256, item = await sharing.shared_file(posbon.db, uploads.store, share, recording_id)
    try:
        span, whole = requested_span(request.headers.get("range"), size)
    except Unsatisfiable:
        return unsatisfiable(size)
    what = "playback" if share.mode is ShareMode.VIEW else "download"
    extra = {"bytes": [span.start, span.end], "sha256": sha256}
    await sharing.log_access(
        posbon.db, share, viewer, what, "served", recordings=[recording_id], extra=extra, at=now
    )
    headers = {
        "Content-Disposition": _disposition(share.mode, item.file_name),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return ranged_stream(
        uploads.store.backend.read(sha256, span.start, span.length),
        span,
        size=size,
        whole=whole,
        sha256=sha256,
        media_type=_media_type(item.file_name),
        headers=headers,
    )


api_router = Router(
    path="/api/v1/evidence/shares",
    tags=["evidence"],
    route_handlers=[create_share, list_shares, revoke_share],
)
door_router = Router(
    path=SHARE_PATH, tags=["evidence"], route_handlers=[share_page_route, share_pin, share_file]
)
