"""On test: a site's or a device's signals during a window are stored and announced as test
signals but raise nothing; ending the window (by hand or by itself) makes alarms dispatch again;
the report lists everything received (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.auth.schemas import Role
from server.db import Database
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.schedules import on_test_repository
from server.settings import Settings
from tests.integration.test_device_gateway.support import (
    Gateway,
    cid_frame,
    exchange,
    gateway_on,
    reply_token,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


async def _send(gw: Gateway, account: str, seq: int, zone: int) -> None:
    (reply,) = await exchange(gw.port, cid_frame(account, seq, "130", "1", zone), 1)
    assert reply_token(reply) == "ACK"


async def _post(gw: Gateway, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    async with gw.client(token or gw.dispatcher) as http:
        answer = await http.post(path, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_a_site_on_test_stores_its_alarms_and_raises_nothing(gw: Gateway) -> None:
    device = await gw.add_device("6201")
    site_id = device["site_id"]
    test = await _post(gw, f"/api/v1/sites/{site_id}/tests", {"minutes": 30, "reason": "zones"})
    for zone in (1, 2, 3):
        await _send(gw, "6201", zone, zone)
    assert await gw.alerts() == []
    assert len(await gw.signals(account="6201")) == 3
    report = await gw.get(f"/api/v1/tests/{test['id']}/report")
    assert (report["total"], report["active"]) == (3, True)
    assert [z["zone"] for z in report["zones"]] == ["001", "002", "003"]
    events = await outbox.read_after(gw.live.state.db, DISPATCH_STREAM, 0, 1000)
    assert [e.type for e in events].count("test_signal") == 3
    async with gw.client(gw.dispatcher) as http:
        ended = await http.delete(f"/api/v1/tests/{test['id']}")
    assert ended.status_code == 200
    assert ended.json()["ended_by"].startswith("dispatcher:")
    await _send(gw, "6201", 4, 4)
    (alert,) = await gw.alerts()
    assert alert["incident_id"] is not None
    assert (await gw.get(f"/api/v1/tests/{test['id']}/report"))["total"] == 3
    async with gw.client(gw.admin) as http:  # the audit is the admins' to read
        audit = (await http.get("/api/v1/audit", params={"action": "site_test."})).json()
    assert [(e["action"], e["target"]) for e in reversed(audit)] == [
        ("site_test.start", f"site:{site_id}"),
        ("site_test.end", f"site:{site_id}"),
    ]
    assert all(e["actor"].startswith("dispatcher:") for e in audit)


async def test_a_device_on_test_holds_only_that_device(gw: Gateway) -> None:
    held = await gw.add_device("6202")
    await gw.add_device("6203")
    await _post(gw, f"/api/v1/devices/{held['id']}/tests", {"minutes": 5})
    await _send(gw, "6202", 1, 1)
    await _send(gw, "6203", 1, 1)
    assert [a["details"]["account"] for a in await gw.alerts()] == ["6203"]


async def test_a_window_ends_by_itself(gw: Gateway) -> None:
    device = await gw.add_device("6204")
    db = gw.live.state.db
    now = dt.datetime.now(dt.UTC)
    async with db.write():  # a window that ended a moment ago, as one ends by itself
        await on_test_repository.insert(
            db,
            site_id=device["site_id"],
            device_id=None,
            reason="",
            who="dispatcher:test",
            starts_at=now - dt.timedelta(minutes=30),
            ends_at=now - dt.timedelta(seconds=1),
        )
    await _send(gw, "6204", 1, 1)
    assert len(await gw.alerts()) == 1
    assert (await gw.get("/api/v1/tests"))[0]["ends_at"] is not None


async def test_only_dispatchers_and_admins_put_a_site_on_test(gw: Gateway) -> None:
    device = await gw.add_device("6205")
    camera = await gw.live.token(Role.CAMERA)
    async with gw.client(camera) as http:
        answer = await http.post(f"/api/v1/sites/{device['site_id']}/tests", json={"minutes": 1})
    assert answer.status_code == 403
    async with gw.client(gw.dispatcher) as http:
        zero = await http.post(f"/api/v1/sites/{device['site_id']}/tests", json={"minutes": 0})
        missing = await http.get("/api/v1/tests/999999/report")
    assert (zero.status_code, missing.status_code) == (400, 404)
