"""Statistics: per-district figures and response intervals from known timestamps."""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx

from server.auth.schemas import Role
from server.db import Database
from tests.integration.live import Live
from tests.integration.test_server.stats_seed import incident, reached, site

RECEIVED = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
PERIOD = {"since": "2026-11-01T00:00:00Z", "until": "2026-11-03T00:00:00Z"}
# Five panics in one district: seconds to dispatch, then to acknowledge, then received → on scene.
TO_DISPATCH_S = (10, 20, 30, 40, 50)
TO_ACKNOWLEDGE_S = (5, 5, 5, 5, 100)
TO_ON_SCENE_S = (100, 200, 300, 400, 500)
OUTCOMES = ("crime_prevented", "persons_detained", "crime_solved", "false_alarm", None)


async def _seed(db: Database) -> None:
    async with db.write():
        site_id = await site(db, "School No. 1", "Yunusobod", RECEIVED)
        for dispatched_s, ack_s, scene_s, outcome in zip(
            TO_DISPATCH_S, TO_ACKNOWLEDGE_S, TO_ON_SCENE_S, OUTCOMES, strict=True
        ):
            incident_id = await incident(db, "panic", site_id, outcome, RECEIVED)
            await reached(db, incident_id, "dispatched", _after(dispatched_s))
            await reached(db, incident_id, "acknowledged", _after(dispatched_s + ack_s))
            await reached(db, incident_id, "on_scene", _after(scene_s))
        await incident(db, "fire", None, None, RECEIVED)


def _after(seconds: float) -> dt.datetime:
    return RECEIVED + dt.timedelta(seconds=seconds)


async def _desk(live: Live) -> httpx.AsyncClient:
    token = await live.token(Role.DISPATCHER)
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
