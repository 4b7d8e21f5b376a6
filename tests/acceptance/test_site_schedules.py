"""Site schedules through the shipped process and a real DC-09 panel (my-dc09-spt): a bank that
does not close by its close time gets "late to close" at close + grace, once, even when the
server was down at the deadline; the close that comes afterwards annotates it; an intrusion
during opening hours and one outside them are told apart."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.acceptance.support import ServedPosbon, models_env
from tests.dc09_sender import send_dc09
from tests.eventually import eventually
from tests.integration.test_server.schedules.support import noon_zone, schedule_around

pytestmark = pytest.mark.acceptance
HOUR = dt.timedelta(hours=1)
OPENING = {"code": 401, "q": 1, "zone": 3}  # Contact ID 1 401 user 3: disarmed
CLOSING = {"code": 401, "q": 3, "zone": 3}  # Contact ID 3 401 user 3: armed
INTRUSION = {"code": 130, "q": 1, "zone": 4}
PROBE = {"code": 602, "q": 1, "zone": 0}  # a periodic test report: stored, raises nothing


async def add_panel(http: httpx.AsyncClient, account: str, name: str) -> int:
    """A site with one DC-09 panel; returns the site's id."""
    site = await http.post("/api/v1/sites", json={"name": f"{name} {uuid.uuid4().hex[:6]}"})
    assert site.status_code == 201, site.text
    body = {"account": account, "site_id": site.json()["id"]}
    device = await http.post("/api/v1/devices", json=body)
    assert device.status_code == 201, device.text
    site_id: int = site.json()["id"]
    return site_id


async def wait_until_registered(served: ServedPosbon, http: httpx.AsyncClient, account: str) -> Any:
    """Send test reports until the receiver knows the new panel (its accounts reload when the
    devices doorbell rings); returns the panel's sender, to keep its sequence numbers."""
    from my_dc09_spt import dc09_spt  # type: ignore[import-untyped]  # noqa: PLC0415

    spt = dc09_spt.dc09_spt(account)

    async def registered() -> bool:
        assert await send_dc09(served.ports.dc09, account, PROBE, spt=spt)
        found = (await http.get("/api/v1/signals", params={"account": account})).json()
        return any(signal["registered"] for signal in found)

    await eventually(registered, timeout_s=30, interval_s=0.5)
    return spt


async def alerts_at(http: httpx.AsyncClient, site_id: int) -> list[dict[str, Any]]:
    found = (await http.get("/api/v1/alerts", params={"limit": 1000})).json()
    return [alert for alert in found if alert["site"]["id"] == site_id]


async def test_an_intrusion_in_opening_hours_vs_outside(served: ServedPosbon) -> None:
    now = dt.datetime.now(dt.UTC)
    async with served.api(served.token("admin")) as admin:
        bank = await add_panel(admin, "6A01", "Acceptance bank (open)")
        closed = await add_panel(admin, "6A02", "Acceptance bank (closed)")
        for site_id, opens in ((bank, now - HOUR), (closed, now + HOUR)):
            body = schedule_around(opens, opens + 2 * HOUR, noon_zone(), grace_s=900)
            stored = await admin.put(f"/api/v1/sites/{site_id}/schedule", json=body)
            assert stored.status_code == 200, stored.text
        for account in ("6A01", "6A02"):
            spt = await wait_until_registered(served, admin, account)
            assert await send_dc09(served.ports.dc09, account, INTRUSION, spt=spt)
        (inside,) = await eventually(lambda: alerts_at(admin, bank))
        (outside,) = await eventually(lambda: alerts_at(admin, closed))
    assert (inside["kind"], inside["priority"]) == ("intrusion", 3)
    assert "during opening hours" in inside["description"]
    assert (outside["kind"], outside["priority"]) == ("intrusion", 2)
    assert "outside opening hours" in outside["description"]


def _bank_node(root: Any) -> ServedPosbon:
    # Deadlines polled often, so "at the deadline" is a fraction of a second after it.
    env = models_env() | {"POSBON_DEADLINE_POLL_S": "0.2"}
    return ServedPosbon(root, env=env, name="serve [bank]")


async def test_late_to_close_is_raised_once_at_close_plus_grace_across_a_restart(
    tmp_path: Any,
) -> None:
    root = tmp_path / "bank"  # each start is a new process on the same data directory
    with _bank_node(root) as node:
        async with node.api(node.token("admin")) as admin:
            bank = await add_panel(admin, "6A03", "Acceptance bank (late)")
            spt = await wait_until_registered(node, admin, "6A03")
            now = dt.datetime.now(dt.UTC)
            closes = now + dt.timedelta(seconds=20)  # room to stop the node before it
            body = schedule_around(now - HOUR, closes, noon_zone(), grace_s=2)
            assert (await admin.put(f"/api/v1/sites/{bank}/schedule", json=body)).is_success
            assert await send_dc09(node.ports.dc09, "6A03", OPENING, spt=spt)  # staff came in
        node.assert_clean_exit()  # the server is down when the deadline passes
    deadline = closes.replace(microsecond=0) + dt.timedelta(seconds=2)
    assert dt.datetime.now(dt.UTC) < deadline, (
        "the node took too long to stop: this test is about a deadline passing while none runs"
    )
    time.sleep(max(0.0, (deadline - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)
    with _bank_node(root) as node:
        async with node.api(node.token("admin")) as admin:
            (late,) = await eventually(lambda: alerts_at(admin, bank), timeout_s=20)
            assert (late["kind"], late["source"]) == ("late_to_close", "schedule")
            assert late["details"]["deadline"] == deadline.isoformat()
            assert await send_dc09(node.ports.dc09, "6A03", CLOSING, spt=spt)  # closed at last

            async def annotated() -> bool:
                path = f"/api/v1/incidents/{late['incident_id']}/timeline"
                entries = (await admin.get(path)).json()
                return any(str(e["data"].get("text", "")).endswith("late") for e in entries)

            await eventually(annotated)
            assert [a["kind"] for a in await alerts_at(admin, bank)] == ["late_to_close"]
        node.assert_clean_exit()
    with _bank_node(root) as node:  # and once more: the settled deadline stays settled
        async with node.api(node.token("admin")) as admin:
            parts = (await admin.get("/api/v1/system/parts")).json()
            assert "schedule-deadlines" in str(parts)
            assert [a["kind"] for a in await alerts_at(admin, bank)] == ["late_to_close"]
        node.assert_clean_exit()
