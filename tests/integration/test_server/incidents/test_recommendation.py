"""Crew recommendation: ranked by ETA with the reason spelled out, from a road engine (OSRM's
table service) when one is configured, else a labelled estimate; dispatches carry navigation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar, get, post
from litestar.params import FromPath, JSONBody

from server.auth.schemas import Role
from server.db import Database
from server.incidents import deadlines, repository
from server.routing import OsrmTable, StraightLineEstimate, ValhallaMatrix
from server.settings import Settings
from tests.conftest import free_port
from tests.integration.live import Live, until_started
from tests.integration.test_server.helpers import (
    create_crew,
    dispatch,
    open_socket,
    post_alert,
    receive,
)

pytestmark = pytest.mark.integration


async def test_crews_are_ranked_by_estimated_eta_with_reasons(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    desk = await live.token(Role.DISPATCHER)
    far = await create_crew(live, admin, "Far", 39.6772, 66.9074)  # the railway station
    near = await create_crew(live, admin, "Near", 39.6560, 66.9740)  # by the Registan
    alert = await post_alert(live, desk)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(desk)) as client:
        ranked = (await client.get(f"/api/v1/incidents/{alert['incident_id']}/suggestions")).json()
    assert [item["crew_id"] for item in ranked] == [near, far]
    assert ranked[0]["eta_source"] == "estimate"
    assert ranked[0]["reason"].endswith("s old")
    assert "km, ETA 1 min (estimate), position" in ranked[0]["reason"]
    assert "ETA 14 min (estimate)" in ranked[1]["reason"]  # 6.3 km times 1.4 at 40 km/h


@contextlib.asynccontextmanager
async def _stand_in(handler: Any) -> AsyncIterator[str]:
    """A routing engine's stand-in served on a free port for the test's duration."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Litestar([handler]), port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    await until_started(server, task)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def osrm() -> AsyncIterator[str]:
    """A stand-in for OSRM's table service (no road data can run here): crew 0's road is long."""

    @get("/table/v1/driving/{points:str}", sync_to_thread=False)
    def table(points: FromPath[str]) -> dict[str, object]:
        count = points.count(";")
        return {
            "code": "Ok",
            "durations": [[900.0]] + [[120.0]] * (count - 1),
            "distances": [[9000.0]] + [[1500.0]] * (count - 1),
        }

    async with _stand_in(table) as url:
        yield url


async def test_a_road_engine_reorders_the_crews_and_is_named_in_the_reason(
    live: Live, db: Database, osrm: str
) -> None:
    admin = await live.token(Role.ADMIN)
    desk = await live.token(Role.DISPATCHER)
    straight_near = await create_crew(live, admin, "Across the river", 39.6555, 66.9760)
    road_near = await create_crew(live, admin, "On the ring road", 39.6650, 66.9600)
    alert = await post_alert(live, desk)
    incident = await repository.find(db, alert["incident_id"])
    assert incident is not None
    by_road = await deadlines.suggest_crews(
        db, incident, estimator=OsrmTable(osrm, StraightLineEstimate())
    )
    assert [item.crew_id for item in by_road] == [road_near, straight_near]
    assert by_road[0].reason.startswith("1.5 km, ETA 2 min, position")
    broken = OsrmTable("http://127.0.0.1:1", StraightLineEstimate())
    fallback = await deadlines.suggest_crews(db, incident, estimator=broken)
    assert [item.crew_id for item in fallback] == [straight_near, road_near]
    assert all(item.eta_source == "estimate" for item in fallback)


@pytest.fixture
async def valhalla() -> AsyncIterator[str]:
    """A stand-in for Valhalla's matrix service: the first crew's road is long, the last crew has
    no road to the scene at all (Valhalla leaves its time out)."""

    @post("/sources_to_targets", sync_to_thread=False, status_code=200)
    def matrix(data: JSONBody[dict[str, Any]]) -> dict[str, object]:
        assert data["costing"] == "auto"
        assert len(data["targets"]) == 1
        count = len(data["sources"])
        long_road: list[dict[str, object]] = [{"time": 900, "distance": 9.0}]
        short_road: list[dict[str, object]] = [{"time": 120, "distance": 1.5}]
        no_road: list[dict[str, object]] = [{"time": None, "distance": None}]
        rows = [long_road] + [short_road] * (count - 2) + [no_road]
        return {"sources_to_targets": rows, "units": "kilometers"}

    async with _stand_in(matrix) as url:
        yield url


async def test_valhalla_ranks_by_road_time_and_a_crew_with_no_road_gets_the_estimate(
    live: Live, db: Database, valhalla: str
) -> None:
    admin = await live.token(Role.ADMIN)
    desk = await live.token(Role.DISPATCHER)
    straight_near = await create_crew(live, admin, "Across the river", 39.6555, 66.9760)
    road_near = await create_crew(live, admin, "On the ring road", 39.6650, 66.9600)
    island = await create_crew(live, admin, "Over the canal", 39.6600, 66.9700)
    alert = await post_alert(live, desk)
    incident = await repository.find(db, alert["incident_id"])
    assert incident is not None
    ranked = await deadlines.suggest_crews(
        db, incident, estimator=ValhallaMatrix(valhalla, StraightLineEstimate())
    )
    by_id = {item.crew_id: item for item in ranked}
    assert by_id[road_near].reason.startswith("1.5 km, ETA 2 min, position")
    assert by_id[straight_near].reason.startswith("9.0 km, ETA 15 min, position")
    assert by_id[island].eta_source == "estimate"
    assert "(estimate)" in by_id[island].reason
    assert [item.crew_id for item in ranked] == [island, road_near, straight_near]


async def test_a_dispatch_carries_the_destination_and_navigation_links(
    live: Live, settings: Settings
) -> None:
    admin = await live.token(Role.ADMIN)
    desk = await live.token(Role.DISPATCHER)
    crew_id = await create_crew(live, admin, "Berkut-1", 39.65, 66.96)
    tablet = await live.token(Role.CREW, crew_id)
    socket, _ = await open_socket(live, "/ws/crew", tablet)
    alert = await post_alert(live, desk)
    await dispatch(live, desk, alert["incident_id"], crew_id)
    (sent,) = await receive(socket, 1)
    destination = sent["data"]["destination"]
    assert (destination["lat"], destination["lon"]) == (39.6548, 66.9757)
    assert destination["geo"].startswith("geo:39.654800,66.975700")
    assert destination["yandex_navigator"].startswith("yandexnavi://build_route_on_map")
    assert destination["google_maps"].startswith("https://www.google.com/maps/dir/")
    assert destination["osmand"].startswith("https://osmand.net/go")
    await socket.close()
