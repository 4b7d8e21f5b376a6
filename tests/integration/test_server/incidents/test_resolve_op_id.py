"""Resolving is idempotent by op_id, like every other status change, so a tablet that lost the
answer to its resolve can send it again."""

from __future__ import annotations

import httpx
import pytest

from server.auth.schemas import Role
from tests.integration.live import Live
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert

pytestmark = pytest.mark.integration


async def test_a_repeated_resolve_op_id_returns_the_first_result_and_changes_nothing(
    live: Live,
) -> None:
    crew_id = await create_crew(live, await live.token(Role.ADMIN), "Burgut-7", 39.65, 66.97)
    dispatcher = await live.token(Role.DISPATCHER)
    incident_id = (await post_alert(live, dispatcher))["incident_id"]
    await dispatch(live, dispatcher, incident_id, crew_id)
    tablet = live.headers(await live.token(Role.CREW, crew_id))
    resolve = {
        "outcome": "crime_prevented",
        "notes": "Door secured.",
        "op_id": "tablet-resolve-0001",
        "device_at": "2026-11-25T10:00:00Z",
    }
    async with httpx.AsyncClient(base_url=live.http, headers=tablet) as client:
        path = f"/api/v1/incidents/{incident_id}"
        moved = await client.post(f"{path}/status", json={"status": "on_scene"})
        assert moved.status_code == 200, moved.text
        first = await client.post(f"{path}/resolve", json=resolve)
        again = await client.post(f"{path}/resolve", json=resolve)
        changed = await client.post(f"{path}/resolve", json=resolve | {"outcome": "other"})
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    # The same op_id for another request is a client's mistake, never a replay of the first.
    assert changed.status_code == 409, changed.text
    assert changed.json()["code"] == "idempotency_key_reused"
    assert first.json()["outcome"] == "crime_prevented"
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as desk:
        timeline = (await desk.get(f"/api/v1/incidents/{incident_id}/timeline")).json()
    resolved = [entry for entry in timeline if entry["to_status"] == "resolved"]
    assert len(resolved) == 1
    assert resolved[0]["device_at"].startswith("2026-11-25T10:00:00")
