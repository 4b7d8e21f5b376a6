"""Restores end the alert they belong to: a self-clearing trouble that nobody was sent to is
closed; a life-safety alarm, or anything a crew is already on, is only annotated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.db import Database
from server.plans import hooks as plans_hooks
from server.settings import Settings
from tests.integration.test_device_gateway.support import (
    Gateway,
    cid_frame,
    exchange,
    gateway_on,
    reply_token,
)
from tests.integration.test_server.helpers import create_crew, dispatch

pytestmark = pytest.mark.integration


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


async def _send(gw: Gateway, account: str, seq: int, code: str, qualifier: str, zone: int) -> None:
    (reply,) = await exchange(gw.port, cid_frame(account, seq, code, qualifier, zone), 1)
    assert reply_token(reply) == "ACK"


async def _incident(gw: Gateway, alert: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = await gw.get(f"/api/v1/incidents/{alert['incident_id']}")
    return found


async def test_ac_restore_closes_the_undispatched_ac_loss_incident(gw: Gateway) -> None:
    await gw.add_device("5101")
    await _send(gw, "5101", 1, "301", "1", 0)
    await _send(gw, "5101", 2, "301", "3", 0)
    (alert,) = await gw.alerts()
    assert (await _incident(gw, alert))["status"] == "cancelled"
    restore = next(s for s in await gw.signals(account="5101") if s["qualifier"] == "restore")
    assert restore["alert_id"] == alert["id"]
    timeline = await gw.get(f"/api/v1/incidents/{alert['incident_id']}/timeline")
    closing = [entry for entry in timeline if entry["to_status"] == "cancelled"]
    assert len(closing) == 1
    assert closing[0]["actor"] == "device:5101"


async def test_a_restore_closes_only_the_alert_of_its_zone(gw: Gateway) -> None:
    await gw.add_device("5102")
    await _send(gw, "5102", 1, "350", "1", 3)
    await _send(gw, "5102", 2, "350", "1", 4)
    await _send(gw, "5102", 3, "350", "3", 3)
    by_zone = {a["details"]["zone"]: a for a in await gw.alerts()}
    assert (await _incident(gw, by_zone["003"]))["status"] == "cancelled"
    assert (await _incident(gw, by_zone["004"]))["status"] == "new"


async def test_a_panic_restore_only_annotates_the_panic(gw: Gateway) -> None:
    await gw.add_device("5103")
    await _send(gw, "5103", 1, "120", "1", 1)
    await _send(gw, "5103", 2, "120", "3", 1)
    (alert,) = await gw.alerts()
    assert (await _incident(gw, alert))["status"] == "new"
    timeline = await gw.get(f"/api/v1/incidents/{alert['incident_id']}/timeline")
    assert any("restore" in str(entry["data"].get("text", "")) for entry in timeline)


async def test_a_restore_after_dispatch_leaves_the_crew_going(gw: Gateway) -> None:
    await gw.add_device("5104")
    await _send(gw, "5104", 1, "301", "1", 0)
    (alert,) = await gw.alerts()
    crew = await create_crew(gw.live, gw.admin, "Crew 51", 39.65, 66.97)
    await dispatch(gw.live, gw.dispatcher, alert["incident_id"], crew)
    await _send(gw, "5104", 2, "301", "3", 0)
    assert (await _incident(gw, alert))["status"] == "dispatched"
    restore = next(s for s in await gw.signals(account="5104") if s["qualifier"] == "restore")
    assert restore["alert_id"] == alert["id"]


async def test_a_restore_with_nothing_open_raises_nothing(gw: Gateway) -> None:
    await gw.add_device("5105")
    await _send(gw, "5105", 1, "301", "3", 0)
    assert await gw.alerts() == []
    (signal,) = await gw.signals(account="5105")
    assert signal["alert_id"] is None


async def test_an_action_plan_never_holds_the_close_a_device_restore_makes(gw: Gateway) -> None:
    """A trouble plan with a required step open must not refuse the restore's close: the frame
    would be NAKed and the panel would resend it for ever. The close goes through as an override
    the timeline records."""
    plans_hooks.register()  # as every node does (server/app.py)
    steps = [{"text": "Call the site's technician", "kind": "call_site"}]
    plan = {"name": "Power loss", "alert_kind": "trouble", "steps": steps}
    async with gw.client() as admin:
        made = await admin.post("/api/v1/plans", json=plan)
        assert made.status_code == 201, made.text
        await gw.add_device("5106")
        await _send(gw, "5106", 1, "301", "1", 0)
        await _send(gw, "5106", 2, "301", "3", 0)  # ACKed: the close was not refused
        (alert,) = [a for a in await gw.alerts() if a["details"]["account"] == "5106"]
        assert (await _incident(gw, alert))["status"] == "cancelled"
        timeline = await gw.get(f"/api/v1/incidents/{alert['incident_id']}/timeline")
    kinds = [entry["kind"] for entry in timeline]
    assert "plan_attached" in kinds, kinds
    (override,) = [entry for entry in timeline if entry["kind"] == "plan_override"]
    assert override["actor"] == "device:5106"
    assert "cleared" in override["data"]["reason"]
