"""Sync errors become HTTP answers in server/errors.py: status, code, sentence, and the numbers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import msgspec
import pytest

from server.errors import handle_sync_error
from sync.errors import (
    InvalidMessageError,
    LocalError,
    RequestTooLargeError,
    ScopeForbiddenError,
    SequenceGapError,
    SyncError,
    UpgradeRequiredError,
)

REQUEST = cast(Any, SimpleNamespace(headers={}))  # no Accept-Language: English


def answer(error: SyncError) -> tuple[int, dict[str, Any], dict[str, str]]:
    response = handle_sync_error(REQUEST, error)
    body: dict[str, Any] = msgspec.to_builtins(response.content)
    assert response.status_code is not None
    return response.status_code, body, dict(response.headers)


def test_a_failure_on_our_side_is_503_with_retry_after() -> None:
    status, body, headers = answer(LocalError("the database failed"))
    assert status == 503
    assert body == {"code": "unavailable", "detail": "The database failed."}
    assert headers["Retry-After"] == "1"


@pytest.mark.parametrize(
    ("error", "status", "extra"),
    [
        (SequenceGapError(expected=4, received=9), 409, {"expected": 4}),
        (
            RequestTooLargeError(200, 1024),
            413,
            {"limits": {"max_mutations": 200, "max_bytes": 1024}},
        ),
        (UpgradeRequiredError(-3, -1), 426, {"oldest_supported": -1}),
        (ScopeForbiddenError("crew:9"), 403, {}),
        (InvalidMessageError("not JSON"), 400, {}),
    ],
)
def test_each_refusal_has_its_status_code_and_the_numbers_that_help(
    error: SyncError, status: int, extra: dict[str, Any]
) -> None:
    got_status, body, _ = answer(error)
    assert got_status == status
    assert body["code"] == error.code
    assert body["detail"].endswith(".")
    assert {key: body[key] for key in extra} == extra
