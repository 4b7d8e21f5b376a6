"""Statistics: per-district figures and response intervals from known timestamps."""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx

from server.auth.schemas import Role
from server.db import Database
from tests.conftest import Live

RECEIVED = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
PERIOD = {"since": "2026-11-01T00:00:00Z", "until": "2026-11-03T00:00:00Z"}
# Five panics in one district: seconds to dispatch, then to acknowledge, then received → on scene.
TO_DISPATCH_S = (10, 20, 30, 40, 50)
TO_ACKNOWLEDGE_S = (5, 5, 5, 5, 100)
TO_ON_SCENE_S = (100, 200, 300, 400, 500)
NO_DATA = "{}"  # JSON columns; a literal {} in SQL would read as a placeholder
OUTCOMES = ("crime_prevented", "persons_detained", "crime_solved", "false_alarm", None)


async def _site(db: Database, name: str, district: str) -> int:
    row = await db.fetch_one(
        "INSERT INTO sites (name, kind, address, district, lat, lon, created_at) "
        "VALUES ({}, 'school', '', {}, NULL, NULL, {}) RETURNING id",
        name,
        district,
        RECEIVED,
    )
    assert row is not None
    return int(row["id"])


async def _incident(db: Database, kind: str, site_id: int | None, outcome: str | None) -> int:
    detained = 2 if outcome == "persons_detained" else 0
    row = await db.fetch_one(
        "INSERT INTO incidents (kind, priority, status, site_id, lat, lon, address, title, "
        "crew_id, outcome, outcome_notes, persons_detained, created_at, updated_at, closed_at) "
        "VALUES ({}, 1, 'resolved', {}, NULL, NULL, '', '', NULL, {}, '', {}, {}, {}, NULL) "
        "RETURNING id",
        kind,
        site_id,
        outcome,
        detained,
        RECEIVED,
        RECEIVED,
    )
    assert row is not None
    await db.fetch(
        "INSERT INTO alerts (kind, priority, source, site_id, address, description, details, "
        "incident_id, occurred_at, received_at) VALUES ({}, 1, 'test', {}, '', '', {}, {}, {}, {})",
        kind,
        site_id,
        NO_DATA,
        int(row["id"]),
        RECEIVED,
        RECEIVED,
    )
    return int(row["id"])


async def _reached(db: Database, incident_id: int, status: str, after_s: float) -> None:
    await db.fetch(
        "INSERT INTO timeline (incident_id, at, actor, kind, from_status, to_status, device_at, "
        "data, prev_hash, hash) VALUES ({}, {}, 'test', 'status', NULL, {}, NULL, {}, '', '')",
        incident_id,
        RECEIVED + dt.timedelta(seconds=after_s),
        status,
        NO_DATA,
    )


async def _seed(db: Database) -> None:
    async with db.write():
        site_id = await _site(db, "School No. 1", "Yunusobod")
        for dispatched_s, ack_s, scene_s, outcome in zip(
            TO_DISPATCH_S, TO_ACKNOWLEDGE_S, TO_ON_SCENE_S, OUTCOMES, strict=True
        ):
            incident_id = await _incident(db, "panic", site_id, outcome)
            await _reached(db, incident_id, "dispatched", dispatched_s)
            await _reached(db, incident_id, "acknowledged", dispatched_s + ack_s)
            await _reached(db, incident_id, "on_scene", scene_s)
        await _incident(db, "fire", None, None)


async def _desk(live: Live) -> httpx.AsyncClient:
    token = await live.token(Role.dispatcher)
    return httpx.AsyncClient(base_url=live.http, headers=live.headers(token))


async def test_intervals_have_exact_percentiles_against_the_targets(live: Live) -> None:
    await _seed(live.state.db)
    async with await _desk(live) as desk:
        stats = (await desk.get("/api/v1/stats", params=PERIOD)).json()
    by_name = {interval["name"]: interval for interval in stats["intervals"]}
    assert by_name["dispatch"] | {} == {
        "name": "dispatch", "start": "received", "end": "dispatched", "count": 5,
        "p50_s": 30.0, "p90_s": 46.0, "target_s": 60.0, "p90_within_target": True,
    }  # fmt: skip
    assert (by_name["acknowledge"]["p50_s"], by_name["acknowledge"]["p90_s"]) == (5.0, 62.0)
    assert by_name["acknowledge"]["p90_within_target"] is False
    assert (by_name["on_scene"]["p50_s"], by_name["on_scene"]["p90_s"]) == (300.0, 460.0)
    assert by_name["on_scene"]["p90_within_target"] is True


async def test_figures_are_grouped_by_district_kind_and_outcome(live: Live) -> None:
    await _seed(live.state.db)
    async with await _desk(live) as desk:
        stats = (await desk.get("/api/v1/stats", params=PERIOD)).json()
    assert stats["groups"] == [
        {"district": "", "kind": "fire", "signals": 1, "incidents": 1, "prevented": 0,
         "detained": 0, "solved": 0, "false_alarms": 0},
        {"district": "Yunusobod", "kind": "panic", "signals": 5, "incidents": 5, "prevented": 1,
         "detained": 2, "solved": 1, "false_alarms": 1},
    ]  # fmt: skip


async def test_the_csv_export_carries_the_same_figures(live: Live) -> None:
    await _seed(live.state.db)
    async with await _desk(live) as desk:
        response = await desk.get("/api/v1/stats/export.csv", params=PERIOD)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["Yunusobod", "panic", "5", "5", "1", "2", "1", "1"] in rows
    assert ["dispatch", "received", "dispatched", "5", "30.0", "46.0", "60.0", "True"] in rows
    assert [
        "acknowledge",
        "dispatched",
        "acknowledged",
        "5",
        "5.0",
        "62.0",
        "30.0",
        "False",
    ] in rows
