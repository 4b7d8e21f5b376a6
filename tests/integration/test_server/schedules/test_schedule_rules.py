"""A site's schedule through the DC-09 receiver: openings and closings outside the hours raise
their own alerts, an intrusion says whether it came during opening hours, and late to close is
raised once at its deadline (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.db import Database
from server.schedules import late
from server.settings import Settings
from tests.integration.test_device_gateway.support import (
    Gateway,
    cid_frame,
    exchange,
    gateway_on,
    reply_token,
)
from tests.integration.test_server.schedules.support import noon_zone, schedule_around

pytestmark = pytest.mark.integration
HOUR = dt.timedelta(hours=1)


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


async def _send(gw: Gateway, account: str, seq: int, code: str, qualifier: str, zone: int) -> None:
    (reply,) = await exchange(gw.port, cid_frame(account, seq, code, qualifier, zone), 1)
    assert reply_token(reply) == "ACK"


async def _scheduled(gw: Gateway, account: str, opens: dt.datetime, closes: dt.datetime) -> int:
    device = await gw.add_device(account)
    site_id: int = device["site_id"]
    body = schedule_around(opens, closes, noon_zone(), grace_s=600)
    async with gw.client() as admin:
        stored = await admin.put(f"/api/v1/sites/{site_id}/schedule", json=body)
    assert stored.status_code == 200, stored.text
    return site_id


async def _alerts_of(gw: Gateway, site_id: int) -> list[dict[str, Any]]:
    return [a for a in await gw.alerts() if a["site"]["id"] == site_id]


async def test_the_schedule_is_set_by_an_admin_and_read_by_a_dispatcher(gw: Gateway) -> None:
    now = dt.datetime.now(dt.UTC)
    site_id = await _scheduled(gw, "6101", now - HOUR, now + HOUR)
    schedule = await gw.get(f"/api/v1/sites/{site_id}/schedule")
    assert (schedule["late_grace_s"], schedule["time_zone"]) == (600, noon_zone().key)
    async with gw.client(gw.dispatcher) as desk:
        refused = await desk.put(f"/api/v1/sites/{site_id}/schedule", json={})
        assert refused.status_code == 403
    async with gw.client() as admin:
        bad = {"weekly": {"mon": ["18:00-09:00"]}}
        answer = await admin.put(f"/api/v1/sites/{site_id}/schedule", json=bad)
        assert (answer.status_code, answer.json()["code"]) == (422, "unprocessable")
        unknown = await admin.put("/api/v1/sites/999999/schedule", json={})
        assert unknown.status_code == 404
        defaults = await admin.put(f"/api/v1/sites/{site_id}/schedule", json={})
    assert defaults.json()["late_grace_s"] == 900  # schedule_late_grace_s
    assert defaults.json()["time_zone"] == "Asia/Samarkand"  # time_zone


async def test_an_intrusion_in_opening_hours_is_lowered_one_step_and_says_why(gw: Gateway) -> None:
    now = dt.datetime.now(dt.UTC)
    inside = await _scheduled(gw, "6102", now - HOUR, now + HOUR)
    outside = await _scheduled(gw, "6103", now + HOUR, now + 2 * HOUR)
    await _send(gw, "6102", 1, "130", "1", 4)
    await _send(gw, "6103", 1, "130", "1", 4)
    (during,) = await _alerts_of(gw, inside)
    (after,) = await _alerts_of(gw, outside)
    assert (during["priority"], during["details"]["opening_hours"]) == (3, "open")
    assert "staff forgot to disarm" in during["description"]
    assert (after["priority"], after["details"]["opening_hours"]) == (2, "closed")
    assert "outside opening hours" in after["description"]


async def test_an_opening_outside_hours_alerts_and_the_closing_annotates_it(gw: Gateway) -> None:
    now = dt.datetime.now(dt.UTC)
    site_id = await _scheduled(gw, "6104", now + HOUR, now + 2 * HOUR)
    await _send(gw, "6104", 1, "401", "1", 3)  # user 3 disarms
    (alert,) = await _alerts_of(gw, site_id)
    assert (alert["kind"], alert["priority"]) == ("unexpected_open", 2)
    await _send(gw, "6104", 2, "401", "3", 3)  # and arms again
    assert len(await _alerts_of(gw, site_id)) == 1
    timeline = await gw.get(f"/api/v1/incidents/{alert['incident_id']}/timeline")
    assert any("closed again" in str(entry["data"].get("text", "")) for entry in timeline)


async def test_an_opening_in_hours_and_a_closing_at_the_close_raise_nothing(gw: Gateway) -> None:
    now = dt.datetime.now(dt.UTC)
    site_id = await _scheduled(gw, "6105", now - HOUR, now + dt.timedelta(minutes=5))
    await _send(gw, "6105", 1, "401", "1", 3)
    await _send(gw, "6105", 2, "401", "3", 3)  # within the grace before the close
    assert await _alerts_of(gw, site_id) == []


async def test_a_close_far_before_the_close_time_is_an_early_close(gw: Gateway) -> None:
    now = dt.datetime.now(dt.UTC)
    site_id = await _scheduled(gw, "6106", now - HOUR, now + HOUR)
    await _send(gw, "6106", 1, "401", "3", 3)
    (alert,) = await _alerts_of(gw, site_id)
    assert alert["kind"] == "early_close"


async def test_late_to_close_is_raised_once_at_the_deadline(gw: Gateway) -> None:
    now = dt.datetime.now(dt.UTC)
    closes = now + HOUR
    site_id = await _scheduled(gw, "6107", now - HOUR, closes)
    await _send(gw, "6107", 1, "401", "1", 3)  # opened this morning, never closed
    db, clock = gw.live.state.db, gw.live.state.sync_clock
    grace = dt.timedelta(seconds=600)
    assert await late.check_once(db, clock, closes + grace - dt.timedelta(seconds=1)) == 0
    assert await late.check_once(db, clock, closes + grace) == 1
    assert await late.check_once(db, clock, closes + grace + HOUR) == 0  # once, whoever asks
    (alert,) = await _alerts_of(gw, site_id)
    assert (alert["kind"], alert["source"]) == ("late_to_close", "schedule")
    await _send(gw, "6107", 2, "401", "3", 3)
    timeline = await gw.get(f"/api/v1/incidents/{alert['incident_id']}/timeline")
    assert any(str(entry["data"].get("text", "")).endswith("late") for entry in timeline)


async def test_a_site_that_closed_owes_no_late_to_close(gw: Gateway) -> None:
    now = dt.datetime.now(dt.UTC)
    closes = now + HOUR
    site_id = await _scheduled(gw, "6108", now - HOUR, closes)
    await _send(gw, "6108", 1, "401", "1", 3)
    await _send(gw, "6108", 2, "401", "3", 3)  # an early close: its own alert
    db, clock = gw.live.state.db, gw.live.state.sync_clock
    assert await late.check_once(db, clock, closes + 2 * HOUR) == 0
    assert [a["kind"] for a in await _alerts_of(gw, site_id)] == ["early_close"]
