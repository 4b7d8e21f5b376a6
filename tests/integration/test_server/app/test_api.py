"""The REST API as a client sees it: CRUD, the incident lifecycle, errors with codes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from server.auth.schemas import Role
from tests.integration.live import Live
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert

pytestmark = pytest.mark.integration


@pytest.fixture
async def admin(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    token = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        yield client


@pytest.fixture
async def desk(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    token = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        yield client


async def test_sites_support_create_read_update_delete(admin: httpx.AsyncClient) -> None:
    created = await admin.post(
        "/api/v1/sites",
        json={"name": "Kindergarten No. 9", "kind": "kindergarten", "lat": 39.656, "lon": 66.965},
    )
    assert created.status_code == 201
    site_id = created.json()["id"]
    changed = await admin.patch(f"/api/v1/sites/{site_id}", json={"district": "Markaz"})
    assert changed.json()["district"] == "Markaz"
    assert (await admin.get(f"/api/v1/sites/{site_id}")).json()["kind"] == "kindergarten"
    assert (await admin.delete(f"/api/v1/sites/{site_id}")).status_code == 204
    gone = await admin.get(f"/api/v1/sites/{site_id}")
    assert gone.status_code == 404
    assert gone.json()["code"] == "not_found"


async def test_a_duplicate_site_name_is_a_conflict(admin: httpx.AsyncClient) -> None:
    await admin.post("/api/v1/sites", json={"name": "Bank A"})
    again = await admin.post("/api/v1/sites", json={"name": "Bank A"})
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


async def test_device_keys_are_checked_and_never_shown(admin: httpx.AsyncClient) -> None:
    bad = await admin.post(
        "/api/v1/devices",
        json={"account": "1234", "encrypted": True, "key": "abc", "key_format": "hex"},
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_key"
    good = await admin.post(
        "/api/v1/devices",
        json={"account": "1234", "encrypted": True, "key": "850cba22f7dd4f033405da83e4c5bae9"},
    )
    assert good.status_code == 201
    assert "key" not in good.json()
    assert good.json()["has_key"] is True


async def test_bad_input_gets_400_with_a_code_and_a_sentence(desk: httpx.AsyncClient) -> None:
    for body in ({"kind": "not-a-kind"}, {"kind": "panic", "priority": 9}, {"nope": 1}):
        response = await desk.post("/api/v1/alerts", json=body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid_request"
        assert len(response.json()["detail"]) > 20
    broken = await desk.post(
        "/api/v1/alerts", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400


async def test_a_nul_byte_in_a_search_is_never_a_server_error(
    desk: httpx.AsyncClient, engine_name: str
) -> None:
    # Found by schemathesis: PostgreSQL cannot compare text holding a NUL byte.
    response = await desk.get("/api/v1/signals", params={"account": "12\x0034"})
    if engine_name == "postgres":
        assert response.status_code == 400
        assert response.json()["code"] == "bad_characters"
        assert "NUL" in response.json()["detail"]
    else:  # SQLite compares it like any other character: nothing matches
        assert response.status_code == 200
        assert response.json() == []


async def test_the_lifecycle_refuses_a_skip_backwards(live: Live, desk: httpx.AsyncClient) -> None:
    token = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, token, "Berkut-1", 39.65, 66.96)
    alert = await post_alert(live, desk.headers["Authorization"].split()[1])
    incident_id = alert["incident_id"]
    early = await desk.post(f"/api/v1/incidents/{incident_id}/status", json={"status": "on_scene"})
    assert early.status_code == 422
    assert early.json()["code"] == "invalid_transition"
    await dispatch(live, desk.headers["Authorization"].split()[1], incident_id, crew_id)
    for status in ("acknowledged", "en_route", "on_scene"):
        moved = await desk.post(f"/api/v1/incidents/{incident_id}/status", json={"status": status})
        assert moved.json()["status"] == status
    unresolved = await desk.post(
        f"/api/v1/incidents/{incident_id}/status", json={"status": "resolved"}
    )
    assert unresolved.json()["code"] == "outcome_required"
    resolved = await desk.post(
        f"/api/v1/incidents/{incident_id}/resolve",
        json={"outcome": "persons_detained", "persons_detained": 2},
    )
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["persons_detained"] == 2
    back = await desk.post(f"/api/v1/incidents/{incident_id}/status", json={"status": "en_route"})
    assert back.status_code == 422
    crew = (await desk.get(f"/api/v1/crews/{crew_id}")).json()
    assert crew["status"] == "available"
    entries = (await desk.get(f"/api/v1/incidents/{incident_id}/timeline")).json()
    transitions = [(e["from_status"], e["to_status"]) for e in entries if e["to_status"]]
    assert transitions == [
        (None, "new"),
        ("new", "dispatched"),
        ("dispatched", "acknowledged"),
        ("acknowledged", "en_route"),
        ("en_route", "on_scene"),
        ("on_scene", "resolved"),
    ]


async def test_a_crew_may_not_touch_another_crews_incident(live: Live) -> None:
    admin_token = await live.token(Role.ADMIN)
    desk_token = await live.token(Role.DISPATCHER)
    ours = await create_crew(live, admin_token, "Berkut-2", 39.65, 66.96)
    theirs = await create_crew(live, admin_token, "Berkut-3", 39.66, 66.97)
    alert = await post_alert(live, desk_token)
    await dispatch(live, desk_token, alert["incident_id"], theirs)
    tablet = await live.token(Role.CREW, ours)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(tablet)) as client:
        seen = await client.get(f"/api/v1/incidents/{alert['incident_id']}")
        moved = await client.post(
            f"/api/v1/incidents/{alert['incident_id']}/status", json={"status": "acknowledged"}
        )
    assert seen.status_code == 404
    assert moved.status_code == 403
    assert moved.json()["code"] == "not_your_incident"


async def test_the_queue_sorts_by_priority_then_age(live: Live, desk: httpx.AsyncClient) -> None:
    token = desk.headers["Authorization"].split()[1]
    test_alert = await post_alert(live, token, kind="test")
    panic = await post_alert(live, token, kind="panic")
    intrusion = await post_alert(live, token, kind="intrusion")
    queue = (await desk.get("/api/v1/incidents", params={"sort": "queue"})).json()
    assert [item["id"] for item in queue] == [
        panic["incident_id"],
        intrusion["incident_id"],
        test_alert["incident_id"],
    ]
    only_new = await desk.get("/api/v1/incidents", params={"status": ["new"], "priority": 1})
    assert [item["id"] for item in only_new.json()] == [panic["incident_id"]]


async def test_suggestions_rank_available_crews_by_distance(
    live: Live, desk: httpx.AsyncClient
) -> None:
    token = await live.token(Role.ADMIN)
    far = await create_crew(live, token, "Far", 39.70, 66.80)
    near = await create_crew(live, token, "Near", 39.655, 66.976)
    alert = await post_alert(live, desk.headers["Authorization"].split()[1])
    ranked = (await desk.get(f"/api/v1/incidents/{alert['incident_id']}/suggestions")).json()
    assert [item["crew_id"] for item in ranked] == [near, far]
    assert "km" in ranked[0]["reason"]


async def test_health_and_metrics(live: Live, admin: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(base_url=live.http) as anonymous:
        health = await anonymous.get("/health")
    assert health.json() == {"status": "ok", "database": "ok", "sockets": 0}
    await post_alert(live, await live.token(Role.DISPATCHER))
    metrics = await admin.get("/metrics")
    assert metrics.status_code == 200
    assert 'posbon_alerts_total{kind="panic",source="dispatcher"} 1.0' in metrics.text


async def test_stats_count_alerts_outcomes_and_detentions(
    live: Live, desk: httpx.AsyncClient
) -> None:
    token = desk.headers["Authorization"].split()[1]
    crew_id = await create_crew(live, await live.token(Role.ADMIN), "Berkut-9", 39.65, 66.96)
    first = await post_alert(live, token, kind="panic")
    await post_alert(live, token, kind="fire")
    await dispatch(live, token, first["incident_id"], crew_id)
    await desk.post(f"/api/v1/incidents/{first['incident_id']}/status", json={"status": "on_scene"})
    await desk.post(
        f"/api/v1/incidents/{first['incident_id']}/resolve",
        json={"outcome": "persons_detained", "persons_detained": 3},
    )
    stats = (await desk.get("/api/v1/stats")).json()
    assert stats["alerts_by_kind"] == {"fire": 1, "panic": 1}
    assert stats["incidents_by_status"] == {"new": 1, "resolved": 1}
    assert stats["outcomes"] == {"persons_detained": 1}
    assert stats["persons_detained"] == 3
    assert stats["median_minutes_to_on_scene"] >= 0
    empty = await desk.get(
        "/api/v1/stats", params={"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    )
    assert empty.status_code == 400
    assert empty.json()["code"] == "empty_period"
