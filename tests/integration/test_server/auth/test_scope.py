"""Scoped tokens on the real app, on both engines: the guard's lists name real routes, an alert
with no site is the unscoped desk's alone, and a camera reviewer sees its cameras' recognition
and nothing placed. The whole walk over every route is tests/acceptance/test_scope_walk.py."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import msgspec
import pytest
from litestar.routes import HTTPRoute

from server.auth.schemas import Role, Scope
from server.auth.scope import FILTERED, FINDERS, UNSCOPED, ReachDecisions
from server.auth.service import create_token
from server.db import Database
from tests.integration.live import Live

pytestmark = pytest.mark.integration


async def _scoped(live: Live, scope: Scope) -> dict[str, str]:
    issued = await create_token(
        live.state.db, f"scoped-{uuid.uuid4().hex[:6]}", Role.DISPATCHER, scope=scope
    )
    return live.headers(issued.token)


def test_every_route_the_guard_lists_is_a_route_of_the_app(live: Live) -> None:
    from server.app import create_app  # noqa: PLC0415

    app = create_app(live.state)
    routes = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method in route.methods
    }
    assert sorted((FILTERED | UNSCOPED) - routes) == []


async def test_a_district_desk_sees_its_district_and_no_unplaced_alert(live: Live) -> None:
    admin = live.headers(await live.token(Role.ADMIN))
    desk = live.headers(await live.token(Role.DISPATCHER))
    district = f"district-{uuid.uuid4().hex[:6]}"
    scoped = await _scoped(live, Scope(districts=frozenset({district})))
    async with httpx.AsyncClient(base_url=live.http) as client:
        site = await client.post(
            "/api/v1/sites", json={"name": f"{district} site", "district": district}, headers=admin
        )
        placed = await client.post(
            "/api/v1/alerts", json={"kind": "panic", "site_id": site.json()["id"]}, headers=desk
        )
        unplaced = await client.post(
            "/api/v1/alerts", json={"kind": "panic", "lat": 39.6, "lon": 66.9}, headers=desk
        )
        seen = {
            alert["id"] for alert in (await client.get("/api/v1/alerts", headers=scoped)).json()
        }
        raised = await client.post(
            "/api/v1/alerts", json={"kind": "panic", "lat": 39.6, "lon": 66.9}, headers=scoped
        )
        elsewhere = await client.get(
            f"/api/v1/incidents/{unplaced.json()['incident_id']}", headers=scoped
        )
    assert placed.json()["id"] in seen
    assert unplaced.json()["id"] not in seen
    assert (raised.status_code, raised.json()["code"]) == (403, "out_of_scope")
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not_found")


async def test_a_camera_reviewer_sees_its_cameras_and_nothing_placed(live: Live) -> None:
    admin = live.headers(await live.token(Role.ADMIN))
    async with httpx.AsyncClient(base_url=live.http) as client:
        mine = await client.post(
            "/api/v1/cameras", json={"name": f"mine-{uuid.uuid4().hex[:6]}"}, headers=admin
        )
        other = await client.post(
            "/api/v1/cameras", json={"name": f"other-{uuid.uuid4().hex[:6]}"}, headers=admin
        )
        reviewer = await _scoped(live, Scope(cameras=frozenset({mine.json()["id"]})))
        cameras = (await client.get("/api/v1/cameras", headers=reviewer)).json()
        other_one = await client.get(f"/api/v1/cameras/{other.json()['id']}", headers=reviewer)
        sites = (await client.get("/api/v1/sites", headers=reviewer)).json()
        devices = (await client.get("/api/v1/devices", headers=reviewer)).json()
    assert [camera["id"] for camera in cameras] == [mine.json()["id"]]
    assert other_one.status_code == 404
    assert (sites, devices) == ([], [])


async def test_each_scope_asks_once_per_event_whatever_its_number_of_sockets(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dispatch sockets' shared answers (ReachDecisions): a district's desks ask the database
    once per event; another scope asks for itself; the answers are bounded."""
    admin = live.headers(await live.token(Role.ADMIN))
    district = f"district-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=live.http) as client:
        site = await client.post(
            "/api/v1/sites", json={"name": f"{district} site", "district": district}, headers=admin
        )
    data = msgspec.json.encode({"site_id": site.json()["id"]}).decode()
    asked: list[Scope] = []
    real = FINDERS["site_id"]

    async def counted(db: Database, scope: Scope, value: int) -> Any:
        asked.append(scope)
        return await real(db, scope, value)

    monkeypatch.setitem(FINDERS, "site_id", counted)
    mine, other = Scope(districts=frozenset({district})), Scope(districts=frozenset({"elsewhere"}))
    decisions = ReachDecisions(max_entries=2)
    db = live.state.db
    answers = [await decisions.reaches(db, mine, "dispatch", 7, "site", data) for _ in range(50)]
    assert answers == [True] * 50
    assert await decisions.reaches(db, other, "dispatch", 7, "site", data) is False
    assert asked == [mine, other]
    await decisions.reaches(db, mine, "dispatch", 8, "site", data)  # the oldest answer goes
    assert len(decisions) == 2
    await decisions.reaches(db, mine, "dispatch", 7, "site", data)
    assert asked == [mine, other, mine, mine]
