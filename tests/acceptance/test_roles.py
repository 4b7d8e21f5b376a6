"""The REST API of the shipped process with a token of each role, made by `posbon token create`:
each role has a door open to it and a door closed (403 with a code and a sentence), and a
request without a valid token is 401."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from server.auth.schemas import Role
from sync.messages import SCHEMA_VERSION, PullRequest
from sync.wire import encode
from tests.acceptance import fleet
from tests.acceptance.support import ServedPosbon

pytestmark = pytest.mark.acceptance

ALERT = {"kind": "intrusion", "lat": 39.6542, "lon": 66.9597, "description": "acceptance"}
SITE = {"name": "Not for dispatchers", "lat": 39.65, "lon": 66.97}
Call = tuple[str, str, Any, int]  # method, path, JSON body (bytes: sent as is), status expected


def sync_pull() -> bytes:
    """What a tablet or an upload station sends to ask what changed (the sync client's wire)."""
    return encode(PullRequest(schema_version=SCHEMA_VERSION, device_id=uuid.uuid4()))


DOORS: dict[str, tuple[Call, Call]] = {
    "admin": (("GET", "/api/v1/devices", None, 200), ("POST", "/api/v1/alerts", ALERT, 403)),
    "dispatcher": (("GET", "/api/v1/alerts", None, 200), ("POST", "/api/v1/sites", SITE, 403)),
    "crew": (("GET", "/api/v1/sites", None, 200), ("GET", "/api/v1/alerts", None, 403)),
    "upload_station": (
        ("POST", "/sync/v1/pull", sync_pull(), 200),
        ("GET", "/api/v1/incidents", None, 403),
    ),
    "camera": (("POST", "/api/v1/alerts", ALERT, 201), ("GET", "/api/v1/alerts", None, 403)),
    "device": (("POST", "/api/v1/alerts", ALERT, 201), ("GET", "/api/v1/devices", None, 403)),
}


def token_for(served: ServedPosbon, role: str) -> str:
    crew = fleet.CREW_FOR_SOCKETS[1] if role == "crew" else None
    return served.token(role, crew)


async def call(served: ServedPosbon, token: str | None, door: Call) -> tuple[int, Any]:
    method, path, body, _ = door
    payload: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
    async with served.api(token) as http:
        answer = await http.request(method, path, **payload)
    return answer.status_code, answer.json() if answer.content else None


def test_every_role_a_token_can_have_is_in_this_table() -> None:
    assert sorted(DOORS) == sorted(fleet.ROLES) == sorted(role.value for role in Role)


@pytest.mark.parametrize("role", fleet.ROLES)
async def test_each_role_gets_through_its_own_door_and_403_at_another(
    served: ServedPosbon, role: str
) -> None:
    allowed, forbidden = DOORS[role]
    token = token_for(served, role)
    status, body = await call(served, token, allowed)
    assert status == allowed[3], served.explain(f"{role} {allowed[:2]}: {status} {body}")
    status, body = await call(served, token, forbidden)
    assert status == 403, f"{role} {forbidden[:2]}: {status} {body}"
    assert body["code"] == "forbidden"
    assert role in body["detail"]


async def test_no_token_or_an_unknown_one_is_401_and_health_needs_none(
    served: ServedPosbon,
) -> None:
    status, body = await call(served, None, ("GET", "/api/v1/alerts", None, 401))
    assert (status, body["code"]) == (401, "token_missing")
    status, body = await call(served, "pb_" + "x" * 43, ("GET", "/api/v1/alerts", None, 401))
    assert (status, body["code"]) == (401, "token_invalid")
    status, _ = await call(served, None, ("GET", "/health", None, 200))
    assert status == 200
