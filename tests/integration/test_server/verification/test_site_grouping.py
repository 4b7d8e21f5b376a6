"""Activation grouping across a site: alarms of any device and kind at one site within the
window fold into one incident with each zone listed and the worst priority; past the window
a new incident opens; restores annotate it."""

from __future__ import annotations

import datetime as dt

import pytest

from device_gateway.signals import Qualifier, SignalKind
from tests.integration.live import Live
from tests.integration.test_server.verification.support import (
    START,
    add_site_with_devices,
    alarm,
    get,
)

pytestmark = pytest.mark.integration
MINUTE = dt.timedelta(minutes=1)


async def _notes(live: Live, incident_id: int) -> list[str]:
    timeline = await get(live, f"/api/v1/incidents/{incident_id}/timeline")
    return [entry["data"]["text"] for entry in timeline if entry["kind"] == "note"]


async def test_two_zones_and_a_panic_of_one_site_are_one_incident_of_the_worst_priority(
    live: Live,
) -> None:
    site_id = await add_site_with_devices(live, ["6101", "6102"])
    await alarm(live, "6101", SignalKind.INTRUSION, "001", START, priority=2)
    await alarm(live, "6101", SignalKind.INTRUSION, "002", START + MINUTE, priority=2)
    await alarm(live, "6102", SignalKind.PANIC, "005", START + 2 * MINUTE, priority=1)
    alerts = await get(live, "/api/v1/alerts", limit=100)
    ours = [a for a in alerts if a["site"]["id"] == site_id]
    assert sorted(a["details"]["zone"] for a in ours) == ["001", "002", "005"]
    (incident_id,) = {a["incident_id"] for a in ours}
    incident = await get(live, f"/api/v1/incidents/{incident_id}")
    assert incident["priority"] == 1
    assert incident["kind"] == "intrusion"
    notes = await _notes(live, incident_id)
    assert notes[0].startswith("zone 002 also tripped")
    assert notes[1].startswith("zone 005 also tripped")
    assert notes[2] == "priority raised to P1 by panic alarm zone 005 (cid 120)"


async def test_past_the_window_from_the_last_alarm_a_new_incident_opens(live: Live) -> None:
    window = dt.timedelta(seconds=live.state.settings.activation_window_s)
    site_id = await add_site_with_devices(live, ["6201"])
    await alarm(live, "6201", SignalKind.INTRUSION, "001", START, priority=2)
    # the window counts from the incident's LAST alarm: this one keeps it open past START+window
    await alarm(live, "6201", SignalKind.INTRUSION, "002", START + window - MINUTE, priority=2)
    await alarm(live, "6201", SignalKind.INTRUSION, "003", START + window + MINUTE, priority=2)
    last = START + window + MINUTE
    await alarm(live, "6201", SignalKind.INTRUSION, "004", last + window + MINUTE, priority=2)
    alerts = await get(live, "/api/v1/alerts", limit=100)
    by_zone = {a["details"]["zone"]: a["incident_id"] for a in alerts if a["site"]["id"] == site_id}
    assert by_zone["001"] == by_zone["002"] == by_zone["003"]
    assert by_zone["004"] != by_zone["001"]


async def test_a_restore_annotates_the_site_incident(live: Live) -> None:
    site_id = await add_site_with_devices(live, ["6301", "6302"])
    await alarm(live, "6301", SignalKind.INTRUSION, "001", START, priority=2)
    await alarm(live, "6302", SignalKind.FIRE, "009", START + MINUTE, priority=1)
    await alarm(
        live, "6302", SignalKind.FIRE, "009", START + 2 * MINUTE, priority=1,
        qualifier=Qualifier.RESTORE,
    )  # fmt: skip
    alerts = await get(live, "/api/v1/alerts", limit=100)
    (incident_id,) = {a["incident_id"] for a in alerts if a["site"]["id"] == site_id}
    incident = await get(live, f"/api/v1/incidents/{incident_id}")
    assert incident["status"] == "new"  # an alarm's restore never closes it
    assert any(
        note.startswith("restore from the device") for note in await _notes(live, incident_id)
    )


async def test_a_trouble_keeps_its_own_incident(live: Live) -> None:
    site_id = await add_site_with_devices(live, ["6401"])
    await alarm(live, "6401", SignalKind.INTRUSION, "001", START, priority=2)
    await alarm(live, "6401", SignalKind.POWER, "000", START + MINUTE, priority=4)
    alerts = await get(live, "/api/v1/alerts", limit=100)
    assert len({a["incident_id"] for a in alerts if a["site"]["id"] == site_id}) == 2
