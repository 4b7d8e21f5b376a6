"""How the sync client reaches the server: a small Protocol, and HTTP answers read as errors.

The client hands the transport encoded request bodies and gets the response bodies back;
everything else is an exception from sync/errors.py, so the client's logic never sees a status
code. :mod:`sync.http_transport` implements it with httpx; tests wrap it to inject faults.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Final, Protocol

import msgspec

from sync.errors import (
    InvalidMessageError,
    RequestRefusedError,
    RequestTooLargeError,
    ScopeForbiddenError,
    SequenceGapError,
    SyncError,
    UnknownSchemaVersionError,
    UnreachableError,
    UpgradeRequiredError,
)
from sync.messages import ErrorBody, SnapshotRequest

_ERROR_BODY: Final = msgspec.json.Decoder(ErrorBody)


class Transport(Protocol):
    """Carries sync requests to a server."""

    async def push(self, body: bytes) -> bytes:
        """POST a push body; the push response body."""
        ...

    async def pull(self, body: bytes) -> bytes:
        """POST a pull body; the pull response body."""
        ...

    def snapshot(self, request: SnapshotRequest) -> AsyncIterator[bytes]:
        """Stream a snapshot: one encoded SnapshotPage per item."""
        ...


def _error_body(status: int, body: bytes) -> ErrorBody:
    try:
        return _ERROR_BODY.decode(body)
    except msgspec.DecodeError:
        return ErrorBody(code=f"http_{status}", detail=body[:200].decode(errors="replace"))


def _too_large(error: ErrorBody) -> RequestTooLargeError:
    if error.limits is None:  # a proxy's or the framework's 413: the client just halves
        return RequestTooLargeError(max_mutations=0, max_bytes=0)
    return RequestTooLargeError(error.limits.max_mutations, error.limits.max_bytes)


def _refusal(status: int, error: ErrorBody, schema_version: int) -> SyncError:
    match error.code:
        case ScopeForbiddenError.code:
            return ScopeForbiddenError(error.detail)
        case UnknownSchemaVersionError.code:
            return UnknownSchemaVersionError(schema_version, 0)
        case InvalidMessageError.code:
            return InvalidMessageError(error.detail)
        case _:
            return RequestRefusedError(status, error.code, error.detail)


def error_for(status: int, body: bytes, schema_version: int = 0) -> SyncError:
    """The sync error an HTTP error answer stands for."""
    error = _error_body(status, body)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return UnreachableError(f"HTTP {status} {error.code}: {error.detail}")
    if status == HTTPStatus.CONFLICT and error.expected is not None:
        return SequenceGapError(expected=error.expected, received=0)
    if status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        return _too_large(error)
    if status == HTTPStatus.UPGRADE_REQUIRED:
        return UpgradeRequiredError(schema_version, error.oldest_supported or 0)
    return _refusal(status, error, schema_version)
