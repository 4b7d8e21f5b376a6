"""Activation grouping: repeated alarms from one panel fold into its open incident, each new
zone listed as it trips; a flood of panics opens one incident, not one per frame."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.db import Database
from server.settings import Settings
from server.signals.grouping import MAX_ZONES_PER_INCIDENT
from tests.integration.test_device_gateway.support import (
    Gateway,
    cid_frame,
    exchange,
    gateway_on,
    reply_token,
)

pytestmark = pytest.mark.integration
PANIC = "120"


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


async def _panics(gw: Gateway, account: str, zones: list[int]) -> None:
    frames = b"".join(
        cid_frame(account, seq, PANIC, "1", zone) for seq, zone in enumerate(zones, start=1)
    )
    replies = await exchange(gw.port, frames, len(zones))
    assert [reply_token(reply) for reply in replies] == ["ACK"] * len(zones)


async def test_zones_tripping_one_after_another_are_listed_in_one_incident(gw: Gateway) -> None:
    await gw.add_device("5201")
    await _panics(gw, "5201", [1, 2, 1, 3, 2])
    alerts: list[dict[str, Any]] = await gw.alerts()
    assert sorted(alert["details"]["zone"] for alert in alerts) == ["001", "002", "003"]
    assert len({alert["incident_id"] for alert in alerts}) == 1
    timeline = await gw.get(f"/api/v1/incidents/{alerts[0]['incident_id']}/timeline")
    notes = [e["data"]["text"] for e in timeline if e["kind"] == "note"]
    assert [note.split(":")[0] for note in notes] == [
        "zone 002 also tripped",
        "zone 003 also tripped",
    ]
    stored = await gw.signals(account="5201")
    assert len(stored) == 5  # every frame is still stored, pointing at its zone's alert
    assert all(signal["alert_id"] is not None for signal in stored)


async def test_a_flood_of_panics_from_one_panel_opens_one_incident(gw: Gateway) -> None:
    await gw.add_device("5202")
    await _panics(gw, "5202", list(range(1, 101)))
    alerts: list[dict[str, Any]] = await gw.alerts(limit=1000)
    assert len({alert["incident_id"] for alert in alerts}) == 1
    assert len(alerts) == MAX_ZONES_PER_INCIDENT


async def test_after_the_incident_closes_the_next_alarm_opens_a_new_one(gw: Gateway) -> None:
    await gw.add_device("5203")
    await _panics(gw, "5203", [1])
    (first,) = await gw.alerts()
    async with gw.client(gw.admin) as client:
        closed = await client.post(
            f"/api/v1/incidents/{first['incident_id']}/status",
            json={"status": "false_alarm", "note": "test press"},
        )
    assert closed.status_code == 200, closed.text
    (reply,) = await exchange(gw.port, cid_frame("5203", 9, PANIC, "1", 1), 1)
    assert reply_token(reply) == "ACK"
    alerts = await gw.alerts()
    assert len({alert["incident_id"] for alert in alerts}) == 2
