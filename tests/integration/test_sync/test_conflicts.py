"""Concurrent edits, skewed clocks and offline status changes, against the live server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from server.auth.schemas import Role
from sync import hlc
from sync.client import wall_ms
from sync.entities import EntityKind, IncidentReportFields, Outcome
from sync.lattices import IncidentStatus
from tests.integration.live import Live
from tests.integration.test_sync.support import (
    Tablets,
    api,
    dispatched_crew,
    get_json,
    new_report,
    record_status,
)

pytestmark = pytest.mark.integration

HOUR_MS = 3_600_000
MINUTE_MS = 60_000


def ahead(offset_ms: int) -> Callable[[], int]:
    return lambda: wall_ms() + offset_ms


async def test_two_tablets_editing_one_report_keep_the_later_value_and_show_the_loser(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    first = tablets.open(crew.crew_token, "first", clock_ms=ahead(0))
    second = tablets.open(crew.crew_token, "second", clock_ms=ahead(2_000))
    report = new_report(first, crew, "draft").entity_id
    await first.sync()
    await second.sync()
    first.edit_report(
        report, IncidentReportFields(narrative="A saw two men", outcome=Outcome.OTHER)
    )
    second.edit_report(report, IncidentReportFields(narrative="B saw three men"))

    await second.sync()  # the later edit arrives first: arrival order must not matter
    await first.sync()
    await second.sync()

    for tablet in (first, second):
        state = tablet.get(EntityKind.INCIDENT_REPORT, report)
        assert state is not None
        assert state.fields["narrative"].value == "B saw three men"
        assert state.fields["outcome"].value == "other"
    conflicts = await get_json(live, crew.dispatcher, "/api/v1/sync/conflicts?status=open")
    assert [(c["field"], c["losing_value"], c["winning_value"]) for c in conflicts] == [
        ("narrative", "A saw two men", "B saw three men")
    ]
    async with api(live, crew.crew_token) as http:
        assert (await http.get("/api/v1/sync/conflicts")).status_code == 403


async def test_a_dispatcher_who_keeps_the_loser_sends_it_to_every_tablet(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    first = tablets.open(crew.crew_token, "first", clock_ms=ahead(0))
    second = tablets.open(crew.crew_token, "second", clock_ms=ahead(2_000))
    report = new_report(first, crew, "draft").entity_id
    await first.sync()
    await second.sync()
    first.edit_report(report, IncidentReportFields(narrative="the right one"))
    second.edit_report(report, IncidentReportFields(narrative="the wrong one"))
    await first.sync()
    await second.sync()
    (conflict,) = await get_json(live, crew.dispatcher, "/api/v1/sync/conflicts?status=open")

    async with api(live, crew.dispatcher) as http:
        resolved = await http.post(
            f"/api/v1/sync/conflicts/{conflict['id']}/resolve", json={"keep": "loser"}
        )
        again = await http.post(
            f"/api/v1/sync/conflicts/{conflict['id']}/resolve", json={"keep": "loser"}
        )
    await first.sync()
    await second.sync()

    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert again.json()["code"] == "already_resolved"
    for tablet in (first, second):
        state = tablet.get(EntityKind.INCIDENT_REPORT, report)
        assert state is not None
        assert state.fields["narrative"].value == "the right one"
    assert await get_json(live, crew.dispatcher, "/api/v1/sync/conflicts?status=open") == []


async def test_a_device_clock_three_hours_ahead_is_clamped_and_its_offset_recorded(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    fast = tablets.open(crew.crew_token, "fast", clock_ms=ahead(3 * HOUR_MS))
    honest = tablets.open(crew.crew_token, "honest")
    report = new_report(fast, crew, "written in the future").entity_id

    await fast.sync()
    await honest.sync()

    state = honest.get(EntityKind.INCIDENT_REPORT, report)
    assert state is not None
    physical_ms, _ = hlc.unpack(state.fields["narrative"].hlc)
    assert physical_ms <= wall_ms() + hlc.DEFAULT_MAX_AHEAD_MS
    devices = await get_json(live, crew.dispatcher, "/api/v1/sync/devices")
    (device,) = [d for d in devices if d["device_id"] == str(fast.device_id)]
    assert abs(device["clock_offset_ms"] - 3 * HOUR_MS) < MINUTE_MS


async def test_a_status_made_offline_reaches_the_timeline_with_the_device_time(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    client = tablets.open(crew.crew_token, "tablet")
    left = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=12)
    arrived = left + dt.timedelta(minutes=7)
    record_status(client, crew, IncidentStatus.EN_ROUTE, left)
    record_status(client, crew, IncidentStatus.ON_SCENE, arrived)
    backwards = record_status(client, crew, IncidentStatus.ACKNOWLEDGED, arrived)

    await client.sync()

    incident = await get_json(live, crew.dispatcher, f"/api/v1/incidents/{crew.incident_id}")
    assert incident["status"] == "on_scene"
    timeline = await get_json(
        live, crew.dispatcher, f"/api/v1/incidents/{crew.incident_id}/timeline"
    )
    moves = [
        (e["to_status"], dt.datetime.fromisoformat(e["device_at"]))
        for e in timeline
        if e["kind"] == "status"
    ]
    assert moves == [("en_route", left), ("on_scene", arrived)]
    chain = await get_json(
        live, crew.dispatcher, f"/api/v1/incidents/{crew.incident_id}/timeline/verify"
    )
    assert chain["intact"]
    assert [(r.mutation.mutation_id, r.code) for r in client.rejected()] == [
        (backwards.mutation_id, "invalid_transition")
    ]
    rejected = await get_json(live, crew.dispatcher, "/api/v1/sync/rejected")
    assert [(r["mutation_id"], r["code"]) for r in rejected] == [
        (str(backwards.mutation_id), "invalid_transition")
    ]


async def test_a_crew_cannot_write_for_an_incident_it_was_not_sent_to(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    other = await dispatched_crew(live, "Bravo")
    client = tablets.open(crew.crew_token, "tablet")
    foreign = record_status(client, other, IncidentStatus.EN_ROUTE, dt.datetime.now(dt.UTC))

    await client.sync()

    assert [(r.mutation.mutation_id, r.code) for r in client.rejected()] == [
        (foreign.mutation_id, "scope_forbidden")
    ]
    incident = await get_json(live, crew.dispatcher, f"/api/v1/incidents/{other.incident_id}")
    assert incident["status"] == "dispatched"
    station = await live.token(Role.UPLOAD_STATION)
    async with api(live, station) as http:
        assert (await http.get("/api/v1/sync/rejected")).status_code == 403
