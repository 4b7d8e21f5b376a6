"""The sync package's errors, one tree, each saying who is at fault.

::

    SyncError
    ├── RemoteError            the peer sent something we must refuse (HTTP 4xx)
    │   ├── InvalidMessageError    the body is not a message we can read (400)
    │   ├── UpgradeRequiredError   schema_version older than we support (426)
    │   ├── UnknownSchemaVersionError  schema_version newer than ours (400)
    │   ├── RequestTooLargeError   over the batch limits (413, carries the limits)
    │   ├── SequenceGapError       client_seq skipped ahead (409, carries `expected`)
    │   ├── ScopeForbiddenError    a scope this device may not read (403)
    │   ├── MutationRejectedError  one mutation is refused for good; becomes a `rejected`
    │   │                          result and never aborts the batch
    │   └── RequestRefusedError    (client side) any other refusal: a bad token, a device
    │                              that belongs to someone else; retrying will not help
    ├── LocalError             our side failed; nothing advanced, retry later (HTTP 503)
    └── UnreachableError       (client side) no answer, or the server failed (5xx): retry
                               with backoff, nothing is lost

Every error carries a machine-readable ``code`` as a class attribute (instances may refine it)
and a human sentence as its message.
"""

from __future__ import annotations

import enum
from typing import ClassVar


class RejectionCode(enum.StrEnum):
    """Why a single mutation was refused for good (the `code` of a rejected result)."""

    IMMUTABLE_FIELD = "immutable_field"
    NOT_FOUND = "not_found"
    SCOPE_FORBIDDEN = "scope_forbidden"
    INVALID_VALUE = "invalid_value"
    UNKNOWN_MUTATION = "unknown_mutation"
    SEQUENCE_REUSED = "sequence_reused"
    INVALID_TRANSITION = "invalid_transition"  # the server's state machine refuses it


class SyncError(Exception):
    """Base of every error raised by :mod:`sync`."""

    code: ClassVar[str] = "sync_error"


class RemoteError(SyncError):
    """The peer is at fault: the request or one of its mutations is refused."""

    code: ClassVar[str] = "bad_request"


class LocalError(SyncError):
    """We are at fault (storage down, a bug); the peer should retry unchanged."""

    code: ClassVar[str] = "unavailable"


class InvalidMessageError(RemoteError):
    """The body is not valid JSON or not the message this endpoint reads."""

    code: ClassVar[str] = "invalid_message"


class UnknownSchemaVersionError(RemoteError):
    """The client speaks a schema_version newer than this server knows."""

    code: ClassVar[str] = "unknown_schema_version"

    def __init__(self, schema_version: int, newest_supported: int) -> None:
        super().__init__(
            f"schema_version {schema_version} is newer than this server's {newest_supported}"
        )
        self.schema_version = schema_version
        self.newest_supported = newest_supported


class UpgradeRequiredError(RemoteError):
    """The client's schema_version is older than the oldest one we still speak."""

    code: ClassVar[str] = "upgrade_required"

    def __init__(self, schema_version: int, oldest_supported: int) -> None:
        super().__init__(
            f"schema_version {schema_version} is no longer supported; "
            f"the oldest supported is {oldest_supported}"
        )
        self.schema_version = schema_version
        self.oldest_supported = oldest_supported


class RequestTooLargeError(RemoteError):
    """The batch is over the limits; the client should halve it and retry."""

    code: ClassVar[str] = "too_large"

    def __init__(self, max_mutations: int, max_bytes: int) -> None:
        super().__init__(
            f"a push may carry at most {max_mutations} mutations and {max_bytes} bytes"
        )
        self.max_mutations = max_mutations
        self.max_bytes = max_bytes


class SequenceGapError(RemoteError):
    """A mutation's client_seq skipped ahead of the next one we expect."""

    code: ClassVar[str] = "gap"

    def __init__(self, expected: int, received: int) -> None:
        super().__init__(f"expected client_seq {expected}, received {received}")
        self.expected = expected
        self.received = received


class ScopeForbiddenError(RemoteError):
    """The device asked for a scope it is not allowed to read."""

    code: ClassVar[str] = "scope_forbidden"

    def __init__(self, scope: str) -> None:
        super().__init__(f"this device may not read scope {scope}")
        self.scope = scope


class MutationRejectedError(RemoteError):
    """One mutation is permanently refused; the sequence still advances past it."""

    code: ClassVar[str] = "rejected"

    def __init__(self, rejection_code: RejectionCode, reason: str) -> None:
        super().__init__(reason)
        self.rejection_code = rejection_code
        self.reason = reason


class RequestRefusedError(RemoteError):
    """Client side: the server refused the request for a reason a retry will not fix."""

    code: ClassVar[str] = "refused"

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"HTTP {status} {code}: {detail}")
        self.status = status
        self.refusal_code = code


class UnreachableError(SyncError):
    """Client side: the server could not be reached or failed; retry later, unchanged."""

    code: ClassVar[str] = "unreachable"
