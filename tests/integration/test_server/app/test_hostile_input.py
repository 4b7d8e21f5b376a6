"""Requests built to hurt, each once a 500 or silently accepted: every one now gets a 4xx with a
machine-readable code (the sync routes with the sync error shape), and nothing is stored."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest

from server.alerts.schemas import MAX_ALERT_BODY_BYTES, MAX_DETAILS_BYTES, MAX_DETAILS_DEPTH
from server.auth.schemas import Role
from sync.messages import SCHEMA_VERSION
from tests.integration.live import Live

pytestmark = pytest.mark.integration

CSV_FIELD_LIMIT = 131_072  # the csv module's default field_size_limit()
DEVICE = str(uuid.uuid4())


async def _client(live: Live, role: Role) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=live.http, headers=live.headers(await live.token(role)))


@pytest.fixture
async def desk(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(live, Role.DISPATCHER) as client:
        yield client


@pytest.fixture
async def admin(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(live, Role.ADMIN) as client:
        yield client


async def alert_count(desk: httpx.AsyncClient) -> int:
    listed = await desk.get("/api/v1/alerts")
    assert listed.status_code == 200
    return len(listed.json())


def nested(depth: int) -> Any:
    """An object `depth` levels deep, counting itself."""
    value: Any = "bottom"
    for _ in range(depth):
        value = {"next": value}
    return value


async def test_oversized_or_deeply_nested_details_are_refused(desk: httpx.AsyncClient) -> None:
    big = await desk.post(
        "/api/v1/alerts", json={"kind": "panic", "details": {"note": "x" * MAX_DETAILS_BYTES}}
    )
    assert (big.status_code, big.json()["code"]) == (413, "details_too_large")
    deep = await desk.post(
        "/api/v1/alerts", json={"kind": "panic", "details": nested(MAX_DETAILS_DEPTH + 1)}
    )
    assert (deep.status_code, deep.json()["code"]) == (400, "details_too_deep")
    huge = await desk.post(
        "/api/v1/alerts", json={"kind": "panic", "details": {"note": "x" * 9_000_000}}
    )
    assert (huge.status_code, huge.json()["code"]) == (413, "payload_too_large")
    assert await alert_count(desk) == 0
    fits = await desk.post(
        "/api/v1/alerts", json={"kind": "panic", "details": nested(MAX_DETAILS_DEPTH)}
    )
    assert fits.status_code == 201, fits.text


async def test_a_reused_external_id_with_another_alert_is_a_conflict(
    desk: httpx.AsyncClient,
) -> None:
    alert = {"kind": "panic", "external_id": "cam-7:1042", "address": "Registan", "details": {}}
    first = await desk.post("/api/v1/alerts", json=alert)
    assert first.status_code == 201
    again = await desk.post("/api/v1/alerts", json=alert)
    assert (again.status_code, again.json()) == (200, first.json())
    for change in ({"kind": "fire"}, {"address": "Siyob"}, {"details": {"zone": 3}}):
        other = await desk.post("/api/v1/alerts", json=alert | change)
        assert (other.status_code, other.json()["code"]) == (409, "external_id_reused"), change
        assert str(first.json()["id"]) in other.json()["detail"]
    assert await alert_count(desk) == 1


@pytest.mark.parametrize(
    ("path", "role"), [("/api/v1/alerts", Role.DISPATCHER), ("/api/v1/sites", Role.ADMIN)]
)
async def test_json_nested_past_the_decoder_is_bad_json(live: Live, path: str, role: Role) -> None:
    body = b"[" * (MAX_ALERT_BODY_BYTES - 1)
    async with await _client(live, role) as client:
        response = await client.post(
            path, content=body, headers={"Content-Type": "application/json"}
        )
    assert (response.status_code, response.json()["code"]) == (400, "bad_json")


@pytest.mark.parametrize("path", ["/crew/static/js%00.js", "/static/js%00.js"])
async def test_a_nul_byte_in_a_static_path_is_not_found(live: Live, path: str) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        response = await client.get(path)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def push_body(**fields: object) -> bytes:
    body = {
        "schema_version": SCHEMA_VERSION,
        "device_id": DEVICE,
        "device_wall_ms": 1_700_000_000_000,
        "mutations": [],
    }
    return msgspec.json.encode(body | fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"device_wall_ms": 10**30},
        {"device_wall_ms": -(2**62)},
        {"client_hlc": 2**64},
        {"schema_version": 0},
        {"schema_version": -1},
    ],
)
async def test_a_push_out_of_range_is_refused_as_invalid(
    desk: httpx.AsyncClient, fields: dict[str, object]
) -> None:
    response = await desk.post("/sync/v1/push", content=push_body(**fields))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_message"
    assert next(iter(fields)) in response.json()["detail"]


@pytest.mark.parametrize("version", [0, -1])
async def test_pull_and_snapshot_refuse_a_version_below_the_first(
    desk: httpx.AsyncClient, version: int
) -> None:
    pull = await desk.post(
        "/sync/v1/pull", json={"schema_version": version, "device_id": DEVICE, "cursors": {}}
    )
    snapshot = await desk.get(
        "/sync/v1/snapshot",
        params={"scope": "recordings", "device_id": DEVICE, "schema_version": version},
    )
    for response in (pull, snapshot):
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "invalid_message"


async def test_a_csv_cell_over_the_reader_limit_is_a_rejected_line(
    admin: httpx.AsyncClient,
) -> None:
    sheet = f"name,address\nPost 1,x\nPost 2,{'a' * (CSV_FIELD_LIMIT + 1)}\nPost 3,y\n"
    response = await admin.post("/api/v1/sites/import", content=sheet.encode())
    assert response.status_code == 422
    report = response.json()
    assert (report["code"], report["applied"]) == ("rows_rejected", False)
    assert [line["line"] for line in report["rejected"]] == [3]
    assert (await admin.get("/api/v1/sites")).json() == []


async def test_a_csv_that_is_not_utf8_is_refused_naming_the_line(
    admin: httpx.AsyncClient,
) -> None:
    sheet = b"name,address\nPost 1,x\n" + b"Post \xd2\xe0\xf8,y\n"  # cp1251, not UTF-8
    response = await admin.post("/api/v1/sites/import", content=sheet)
    assert response.status_code == 422
    report = response.json()
    assert (report["code"], report["applied"]) == ("bad_encoding", False)
    assert report["rejected"][0]["line"] == 3
    assert "byte 6 " in report["rejected"][0]["reason"]
    assert (await admin.get("/api/v1/sites")).json() == []


async def test_a_plate_list_csv_that_is_not_utf8_is_refused(admin: httpx.AsyncClient) -> None:
    created = await admin.post("/api/v1/plates/lists", json={"name": "stolen", "kind": "wanted"})
    plates = f"/api/v1/plates/lists/{created.json()['id']}"
    sheet = b"plate,note\n01A123BC,ok\n01\xc0777AA,cp1251 note\n"
    response = await admin.post(f"{plates}/import", content=sheet)
    assert response.status_code == 422, response.text
    report = response.json()
    assert (report["code"], report["applied"]) == ("bad_encoding", False)
    assert report["rejected"][0]["line"] == 3
    assert (await admin.get(f"{plates}/entries")).json() == []


async def test_an_import_takes_its_batch_size_as_a_parameter(admin: httpx.AsyncClient) -> None:
    sheet = "name\n" + "".join(f"Post {n}\n" for n in range(1, 8))
    response = await admin.post(
        "/api/v1/sites/import", params={"batch_rows": 3}, content=sheet.encode()
    )
    assert (response.status_code, response.json()["imported"]) == (200, 7)
    refused = await admin.post(
        "/api/v1/sites/import", params={"batch_rows": -1}, content=sheet.encode()
    )
    assert refused.status_code == 400


async def test_the_same_alert_sent_at_once_by_several_retries_is_stored_once(
    desk: httpx.AsyncClient,
) -> None:
    alert = {"kind": "sos", "external_id": "btn-9:77", "lat": 39.65, "lon": 66.97}
    answers = await asyncio.gather(*(desk.post("/api/v1/alerts", json=alert) for _ in range(8)))
    assert sorted(answer.status_code for answer in answers) == [200] * 7 + [201]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert await alert_count(desk) == 1
