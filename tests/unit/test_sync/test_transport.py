"""HTTP answers read as sync errors: what the client can act on, and what it retries."""

from __future__ import annotations

import msgspec
import pytest

from sync.errors import (
    InvalidMessageError,
    RequestRefusedError,
    RequestTooLargeError,
    ScopeForbiddenError,
    SequenceGapError,
    SyncError,
    UnreachableError,
    UpgradeRequiredError,
)
from sync.messages import ErrorBody, PushLimits
from sync.transport import error_for


def body(**fields: object) -> bytes:
    return msgspec.json.encode(ErrorBody(**fields))  # type: ignore[arg-type]


def test_a_gap_carries_the_seq_the_server_expects() -> None:
    error = error_for(409, body(code="gap", detail="Expected 3.", expected=3))
    assert isinstance(error, SequenceGapError)
    assert error.expected == 3


def test_too_large_carries_the_limits_or_zero_when_a_proxy_said_it() -> None:
    error = error_for(413, body(code="too_large", detail="Big.", limits=PushLimits(200, 1024)))
    assert isinstance(error, RequestTooLargeError)
    assert (error.max_mutations, error.max_bytes) == (200, 1024)
    bare = error_for(413, b"<html>Request Entity Too Large</html>")
    assert isinstance(bare, RequestTooLargeError)
    assert bare.max_mutations == 0


def test_upgrade_required_says_the_oldest_version_still_spoken() -> None:
    error = error_for(426, body(code="upgrade_required", detail="Old.", oldest_supported=5), 2)
    assert isinstance(error, UpgradeRequiredError)
    assert (error.schema_version, error.oldest_supported) == (2, 5)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_failure_is_retried_later(status: int) -> None:
    assert isinstance(error_for(status, b"busy"), UnreachableError)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (403, "scope_forbidden", ScopeForbiddenError),
        (400, "invalid_message", InvalidMessageError),
        (401, "token_invalid", RequestRefusedError),
        (403, "device_not_yours", RequestRefusedError),
    ],
)
def test_refusals_keep_their_meaning(status: int, code: str, kind: type[SyncError]) -> None:
    assert isinstance(error_for(status, body(code=code, detail="No.")), kind)
