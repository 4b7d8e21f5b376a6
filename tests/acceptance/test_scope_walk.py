"""A dispatcher token scoped to district A, made by `posbon token create --district A`, walked
over every HTTP route the served process documents, its /ws/dispatch socket, sync and (for an
upload station) tus: nothing of district B comes back.

District B's objects all carry `MARKER` (tests/acceptance/scope_seed.py), so a leak is a body
holding it. Every route whose path names an object is called with B's ids in it (403 or 404,
without B in the body), and every GET route with A's ids (it may answer, without B in the body)
and with B's. Writes that name no object are not called: they could leak nothing of B, and one
(signing out) would end the walk. Each leak is printed; the test
counts them and wants none.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import httpx
import pytest

from sync.client import SyncClient
from sync.messages import SCHEMA_VERSION, PullRequest
from sync.wire import decode_pull_response, encode
from tests.acceptance.clients import EVENT_TIMEOUT_S, say_hello
from tests.acceptance.scope_seed import MARKER, District, seed_district
from tests.acceptance.support import ServedPosbon

pytestmark = pytest.mark.acceptance

WRITES: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_WALKED: Final = ("/share/",)
"""An outside party's share link: the link itself is the key, no token is involved."""
ITEMS: Final = {"/api/v1/sites/": "site_id", "/api/v1/devices/": "device_id"}
PARAMETER: Final = re.compile(r"\{(\w+)\}")


def _ids_of(district: District, path: str) -> dict[str, Any]:
    ids = dict(district.ids)
    ids["upload_id"] = district.upload_url.rsplit("/", 1)[-1]
    ids["redaction_id"] = str(uuid.uuid4())
    for prefix, name in ITEMS.items():
        if path.startswith(prefix):
            ids["item_id"] = ids[name]
    return ids


def _concrete(path: str, district: District) -> tuple[str, bool]:
    """The path with the district's ids in it (1 where it has none), and whether it names one."""
    ids = _ids_of(district, path)
    named = False

    def fill(match: re.Match[str]) -> str:
        nonlocal named
        if match[1] in ids:
            named = True
            return str(ids[match[1]])
        return "1"

    return PARAMETER.sub(fill, path), named


async def _documented_routes(served: ServedPosbon) -> list[tuple[str, str]]:
    async with served.api() as http:
        document = (await http.get("/schema/openapi.json")).json()
    routes = [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() not in {"HEAD", "OPTIONS"} and not path.startswith(NOT_WALKED)
    ]
    assert len(routes) > 100, f"only {len(routes)} routes are documented"
    return routes


async def _walk(served: ServedPosbon, token: str, a: District, b: District) -> list[str]:
    leaks: list[str] = []
    async with served.api(token) as http:
        for method, template in await _documented_routes(served):
            for district in (a, b) if method == "GET" else (b,):  # A's may change: read only
                path, named = _concrete(template, district)
                if method in WRITES and not named:
                    continue  # a write naming nothing of B: nothing to leak, much to change
                body: dict[str, object] | None = {} if method in WRITES else None
                answer = await http.request(method, path, json=body)
                where = f"{method} {path} [{district.name}]: {answer.status_code}"
                if MARKER in answer.text:
                    leaks.append(f"{where} holds {MARKER}: {answer.text[:300]}")
                if answer.status_code >= httpx.codes.INTERNAL_SERVER_ERROR:
                    leaks.append(f"{where} failed: {answer.text[:300]}")
                if district is b and named and answer.status_code not in {403, 404}:
                    leaks.append(f"{where} answered for B's id: {answer.text[:300]}")
    return leaks


async def _socket_leaks(served: ServedPosbon, token: str, a: District, b: District) -> list[str]:
    """Raise an alert at B, then one at A; until A's arrives, nothing of B may come, and the
    seqs stay whole (a withheld event still takes its number)."""
    socket, welcome = await say_hello(served, "/ws/dispatch", token)
    leaks: list[str] = []
    seq = int(welcome["seq"])
    try:
        async with served.api(served.token("dispatcher")) as desk:
            for district in (b, a):
                raised = await desk.post(
                    "/api/v1/alerts",
                    json={
                        "kind": "panic",
                        "site_id": district.ids["site_id"],
                        "description": f"{district.name} socket",
                    },
                )
                assert raised.status_code == 201, raised.text
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        while True:
            received = await asyncio.wait_for(socket.recv(), max(0.0, deadline - time.monotonic()))
            text = received if isinstance(received, str) else received.decode()
            message = json.loads(text)
            if "seq" not in message:
                continue  # a heartbeat
            if MARKER in text:
                leaks.append(f"/ws/dispatch sent {text[:300]}")
            if message["seq"] != seq + 1:
                leaks.append(f"/ws/dispatch skipped from {seq} to {message['seq']}")
            seq = message["seq"]
            data = message.get("data") or {}
            if message["type"] == "alert" and data.get("description") == f"{a.name} socket":
                return leaks
    finally:
        await socket.close()


async def _sync_leaks(served: ServedPosbon, token: str, b: District) -> list[str]:
    leaks: list[str] = []
    b_scope = f"district:{b.name}"
    device = uuid.uuid4()
    async with served.api(token) as http:
        pulled = await http.post(
            "/sync/v1/pull",
            content=encode(PullRequest(schema_version=SCHEMA_VERSION, device_id=device)),
        )
        assert pulled.status_code == 200, pulled.text
        if MARKER in pulled.text:
            leaks.append(f"sync pull holds {MARKER}: {pulled.text[:300]}")
        page = decode_pull_response(pulled.content)
        for scope in [*page.reset, b_scope]:
            snapshot = await http.get(
                "/sync/v1/snapshot",
                params={"scope": scope, "device_id": str(device), "schema_version": SCHEMA_VERSION},
            )
            if scope != b_scope and MARKER in snapshot.text:  # B's own refusal names it
                leaks.append(f"sync snapshot of {scope} holds {MARKER}: {snapshot.text[:300]}")
            if scope == b_scope and snapshot.status_code != 403:
                leaks.append(f"sync snapshot of {scope}: {snapshot.status_code}")
    return leaks


async def _upload_leaks(served: ServedPosbon, owner: District) -> list[str]:
    """Another station, and one whose token has the owner's very name, try the owner's upload."""
    leaks: list[str] = []
    others = [
        served.cli("token", "create", "--role", "upload_station", "--name", name)
        for name in (f"other-station-{uuid.uuid4().hex[:6]}", "acceptance-upload_station-0")
    ]
    headers = {"Tus-Resumable": "1.0.0"}
    for other in others:
        async with served.api(other) as http:
            for method in ("HEAD", "PATCH", "DELETE"):
                extra = {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
                answer = await http.request(
                    method,
                    owner.upload_url,
                    headers=headers | (extra if method == "PATCH" else {}),
                    content=b"x" if method == "PATCH" else None,
                )
                if answer.status_code != 404:
                    leaks.append(f"{method} of another station's upload: {answer.status_code}")
    return leaks


async def test_a_district_token_reaches_nothing_of_another_district(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], tmp_path: Path
) -> None:
    station = served.token("upload_station")
    a = await seed_district(served, devices, tmp_path, "scopeA", station)
    b = await seed_district(served, devices, tmp_path, MARKER, station)
    token = served.cli(
        "token", "create", "--role", "dispatcher", "--name", f"desk-{a.name}", "--district", a.name
    )
    async with served.api(token) as http:  # A is there to see: the filter is not "nothing"
        alerts = (await http.get("/api/v1/alerts")).json()
        incidents = (await http.get(f"/api/v1/incidents/{a.ids['incident_id']}")).status_code
    assert a.ids["alert_id"] in [alert["id"] for alert in alerts]
    assert incidents == 200

    leaks = await _walk(served, token, a, b)
    leaks += await _socket_leaks(served, token, a, b)
    leaks += await _sync_leaks(served, token, b)
    leaks += await _upload_leaks(served, a)
    for leak in leaks:
        print("LEAK:", leak)
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)


async def test_the_unscoped_dispatcher_sees_both_districts(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], tmp_path: Path
) -> None:
    """The walk's control: without --district the same routes show B, so their silence above
    is the scope's doing."""
    station = served.token("upload_station")
    b = await seed_district(served, devices, tmp_path, MARKER, station)
    async with served.api(served.token("dispatcher")) as http:
        sites = (await http.get("/api/v1/sites", params={"limit": 1000})).text
        incident = await http.get(f"/api/v1/incidents/{b.ids['incident_id']}")
        pulled = await http.post(
            "/sync/v1/pull",
            content=encode(PullRequest(schema_version=SCHEMA_VERSION, device_id=uuid.uuid4())),
        )
    assert b.name in sites
    assert incident.status_code == 200
    assert f"district:{b.name}" in decode_pull_response(pulled.content).reset
