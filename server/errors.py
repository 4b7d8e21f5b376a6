"""The one place where errors become HTTP responses.

Every error response is `{"code": "machine_readable", "detail": "A sentence for a person.",
"message": "That sentence in the reader's language."}` with a fitting status. `detail` is the
English the server raised (what its logs and older clients read); `message` is it in the language
the request's Accept-Language picks (`server/messages`: en, ru, uz-Latn, uz-Cyrl), built here in
`error_response`, the one place error bodies are made; the `code` is never translated.

Services raise `ApiError` subclasses; litestar's own errors (validation, unknown route, wrong
method) are translated here too, so a client never sees a bare 500 for bad input.

    ApiError
    ├── BadRequest        400  the request is malformed
    ├── Unauthorized      401  no token, or a token we do not know
    ├── Forbidden         403  the token's role may not do this
    ├── NotFound          404
    ├── Conflict          409  the request clashes with the current state
    ├── PayloadTooLarge   413
    └── Unprocessable     422  well-formed but not acceptable (e.g. a forbidden transition)

A text with a NUL byte, which PostgreSQL cannot store or compare (asyncpg's
CharacterNotInRepertoireError), is a 400 `bad_characters`, not a 500. JSON nested deeper than the
decoder recurses (msgspec's RecursionError) is a 400 `bad_json`.

A database that cannot be reached is ours and passing: a 503 `database_unavailable` with
Retry-After, so a client (a camera, a button's gateway) sends the same request again. That covers
PostgreSQL's connection and shutdown errors, an OSError (asyncpg reports a refused or dropped
connection as one; nothing else a request handler reaches raises it unhandled), and SQLite
answering busy, locked, unopenable or failing I/O (`database is locked` after the busy timeout).
Every other database error stays a 500: it is a bug to fix, not an outage to wait out.

The sync package's errors (sync/errors.py) map here too, with the numbers that help a device
recover in the body: 400 invalid, 403 scope, 409 `gap` + `expected`, 413 `too_large` +
`limits`, 426 `upgrade_required` + `oldest_supported`, 503 + Retry-After for our failures.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from typing import ClassVar, Final

import asyncpg
import msgspec
from litestar import MediaType, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.exceptions import ValidationException as LitestarValidationError

from server.http_params import AnyRequest
from server.messages import localize, negotiate
from sync import errors as sync_errors
from sync.messages import ErrorBody as SyncErrorBody
from sync.messages import PushLimits

logger = logging.getLogger(__name__)


class ErrorBody(msgspec.Struct, frozen=True):
    code: str
    detail: str
    message: str


class ApiError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]


class BadRequest(ApiError):
    status_code = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class Gone(ApiError):
    """It existed and is gone for good (a deleted evidence file, a revoked or expired link):
    retrying will not bring it back."""

    status_code = 410
    code = "gone"


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"


class Unprocessable(ApiError):
    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(ApiError):
    """Ours, not the client's: a store we depend on is unreachable; the same request may be
    retried unchanged."""

    status_code = 503
    code = "unavailable"


def request_language(request: AnyRequest) -> str:
    return negotiate(request.headers.get("accept-language"))


def error_response(
    request: AnyRequest,
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> Response[ErrorBody]:
    language = request_language(request)
    body = ErrorBody(code=code, detail=detail, message=localize(code, detail, language))
    headers = {"Content-Language": language, "Vary": "Accept-Language", **(headers or {})}
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def handle_api_error(request: AnyRequest, exc: ApiError) -> Response[ErrorBody]:
    return error_response(request, exc.status_code, exc.code, exc.detail)


_HTTP_CODES = {
    400: ("bad_request", "The request is malformed."),
    401: ("unauthorized", "Send 'Authorization: Bearer <token>'; create one with posbon token."),
    403: ("forbidden", "This token's role may not do that."),
    404: ("not_found", "No such resource; see /schema for the routes."),
    405: ("method_not_allowed", "This route does not accept that HTTP method."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
}


def handle_http_exception(request: AnyRequest, exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    if isinstance(exc, LitestarValidationError):
        reasons = "; ".join(
            str(item.get("message", item)) for item in (exc.extra or []) if isinstance(item, dict)
        )
        detail = f"The request body or parameters are invalid: {reasons or exc.detail}"
        return error_response(request, 400, "invalid_request", detail)
    if isinstance(exc, NotAuthorizedException):
        status = 401
    elif isinstance(exc, PermissionDeniedException):
        status = 403
    code, default_detail = _HTTP_CODES.get(status, ("http_error", "The request failed."))
    detail = exc.detail if exc.detail and exc.detail != default_detail else default_detail
    if status >= 500:
        logger.error("HTTP %s: %s", status, exc.detail)
    return error_response(request, status, code, detail)


def handle_unstorable_text(
    request: AnyRequest, exc: asyncpg.CharacterNotInRepertoireError
) -> Response[ErrorBody]:
    logger.info("request refused by PostgreSQL: %s", exc)
    return error_response(
        request,
        400,
        "bad_characters",
        "The request holds a character that cannot be stored or searched for (a NUL byte); "
        "remove it and send the request again.",
    )


def handle_unexpected(request: AnyRequest, exc: Exception) -> Response[ErrorBody]:
    logger.error("unhandled error", exc_info=exc)
    return error_response(
        request, 500, "internal_error", "Posbon hit an internal error; it is logged."
    )


DATABASE_RETRY_AFTER_S: Final = 2
DATABASE_DOWN: Final[tuple[type[Exception], ...]] = (
    OSError,  # TimeoutError and ConnectionError are OSErrors too
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,  # the server shutting down or starting up
    asyncpg.InsufficientResourcesError,  # too many connections, disk full
)
SQLITE_DOWN: Final = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR}
)
_PRIMARY_CODE_MASK: Final = 0xFF  # an extended SQLite result code keeps its primary code here


def handle_database_down(request: AnyRequest, exc: Exception) -> Response[ErrorBody]:
    if isinstance(exc, sqlite3.OperationalError) and (
        exc.sqlite_errorcode & _PRIMARY_CODE_MASK not in SQLITE_DOWN
    ):
        return handle_unexpected(request, exc)
    logger.warning("database unavailable: %s: %s", type(exc).__name__, exc)
    return error_response(
        request,
        503,
        "database_unavailable",
        "Posbon cannot reach its database just now, so this request was not completed; send it "
        "again in a moment.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


DECODER_RECURSION: Final = "while deserializing"
"""msgspec's RecursionError message for input nested deeper than it will follow."""


def handle_recursion(request: AnyRequest, exc: RecursionError) -> Response[ErrorBody]:
    if DECODER_RECURSION not in str(exc):
        return handle_unexpected(request, exc)
    logger.info("request refused: JSON nested too deeply")
    return error_response(
        request,
        400,
        "bad_json",
        "The JSON body is nested too deeply to read; send a flatter document.",
    )


SYNC_RETRY_AFTER_S: Final = 1
_SYNC_STATUS: Final[tuple[tuple[type[sync_errors.SyncError], int], ...]] = (
    (sync_errors.UpgradeRequiredError, 426),
    (sync_errors.RequestTooLargeError, 413),
    (sync_errors.SequenceGapError, 409),
    (sync_errors.ScopeForbiddenError, 403),
    (sync_errors.RemoteError, 400),
    (sync_errors.LocalError, 503),
)


def _sentence(text: str) -> str:
    text = text.strip() or "The sync request failed"
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _sync_body(exc: sync_errors.SyncError, language: str) -> SyncErrorBody:
    # The sync wire's body has no `message`: its `detail` is the sentence, in the reader's words.
    detail = localize(exc.code, _sentence(str(exc)), language)
    match exc:
        case sync_errors.SequenceGapError(expected=expected):
            return SyncErrorBody(code=exc.code, detail=detail, expected=expected)
        case sync_errors.RequestTooLargeError(max_mutations=count, max_bytes=size):
            limits = PushLimits(max_mutations=count, max_bytes=size)
            return SyncErrorBody(code=exc.code, detail=detail, limits=limits)
        case sync_errors.UpgradeRequiredError(oldest_supported=oldest):
            return SyncErrorBody(code=exc.code, detail=detail, oldest_supported=oldest)
        case _:
            return SyncErrorBody(code=exc.code, detail=detail)


def handle_sync_error(request: AnyRequest, exc: sync_errors.SyncError) -> Response[SyncErrorBody]:
    status = next((code for kind, code in _SYNC_STATUS if isinstance(exc, kind)), 500)
    headers = {"Retry-After": str(SYNC_RETRY_AFTER_S)} if status == 503 else None
    if status >= 500:
        logger.warning("sync request failed on our side: %s", exc)
    body = _sync_body(exc, request_language(request))
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    asyncpg.CharacterNotInRepertoireError: handle_unstorable_text,
    **dict.fromkeys((*DATABASE_DOWN, sqlite3.OperationalError), handle_database_down),
    RecursionError: handle_recursion,
    sync_errors.SyncError: handle_sync_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
