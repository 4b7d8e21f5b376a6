"""A camera's cooldown holds across nodes and restarts (server.recognition.subjects): real
`posbon serve` processes, recognition inline, the real models on a wanted plate's photo.

Every camera here has a cooldown of an hour, the stream sense at k=n=1 (each frame confirms) and
a sighting interval of 0 (each repeat is recorded, so a repeat after the incident closed finds
it closed at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recognition.models import ModelPaths
from server.db import Database
from tests.integration.test_cluster.nodes import require_redis
from tests.integration.test_recognition.node_api import (
    Api,
    api_of,
    recognition_env,
    two_apis,
    wanted_frame,
)
from tests.integration.test_server.process import ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COOLDOWN_S = 3600


async def _wanted_plate_camera(api: Api, plate: str) -> int:
    wanted = await api.post("/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"})
    await api.post(f"/api/v1/plates/lists/{wanted['id']}/entries", {"plate": plate})
    camera = await api.post(
        "/api/v1/cameras", {"name": "gate", "kind": "plate", "cooldown_s": COOLDOWN_S}
    )
    return int(camera["id"])


async def _sightings_on_timeline(api: Api, incident_id: int) -> list[int]:
    entries = await api.get(f"/api/v1/incidents/{incident_id}/timeline")
    return [entry["data"]["alert_id"] for entry in entries if entry["kind"] == "sighting"]


async def _camera_alerts(api: Api, camera_id: int) -> list[dict[str, Any]]:
    alerts = await api.get("/api/v1/alerts", limit=500)
    return [alert for alert in alerts if alert["details"].get("camera_id") == camera_id]


@pytest.fixture
def engine_name() -> str:
    return "postgres"


@pytest.fixture
def cluster_url(postgres_url: str, db: Database) -> str:
    """The session's PostgreSQL database, emptied by the `db` fixture for this test."""
    require_redis()
    return postgres_url


@pytest.fixture
def nodes(tmp_path: Path, cluster_url: str, model_paths: ModelPaths) -> Iterator[tuple[Api, Api]]:
    with two_apis(tmp_path, cluster_url, model_paths, {}) as apis:
        yield apis


@pytest.mark.postgres
async def test_a_plate_seen_on_node_a_then_node_b_within_the_cooldown_is_one_alert(
    nodes: tuple[Api, Api],
) -> None:
    a, b = nodes
    plate, frame = wanted_frame()
    camera_id = await _wanted_plate_camera(a, plate)

    first = await a.push(camera_id, frame)
    (alert_id,) = first["alerts"]
    moved = await b.push(camera_id, frame)
    assert (moved["alerts"], moved["sightings"]) == ([], [alert_id])
    (alert,) = await _camera_alerts(b, camera_id)
    assert alert["id"] == alert_id
    assert await _sightings_on_timeline(b, alert["incident_id"]) == [alert_id]

    await b.post(f"/api/v1/incidents/{alert['incident_id']}/resolve", {"outcome": "false_alarm"})
    after_close = await b.push(camera_id, frame)
    (second_id,) = after_close["alerts"]
    assert second_id != alert_id
    back_on_a = await a.push(camera_id, frame)  # A's memory still holds the closed alert
    assert (back_on_a["alerts"], back_on_a["sightings"]) == ([], [second_id])
    assert sorted(alert["id"] for alert in await _camera_alerts(a, camera_id)) == [
        alert_id,
        second_id,
    ]


async def test_a_restarted_node_makes_a_sighting_of_the_alert_it_raised_before(
    tmp_path: Path, model_paths: ModelPaths
) -> None:
    node = ServerProcess(tmp_path / "node", env=recognition_env(model_paths))  # SQLite
    plate, frame = wanted_frame()
    node.start()
    try:
        api = api_of(node)
        camera_id = await _wanted_plate_camera(api, plate)
        (alert_id,) = (await api.push(camera_id, frame))["alerts"]
    finally:
        node.stop()
    node.start()
    try:
        again = await api.push(camera_id, frame)
        assert (again["alerts"], again["sightings"]) == ([], [alert_id])
        assert [alert["id"] for alert in await _camera_alerts(api, camera_id)] == [alert_id]
    finally:
        node.stop()
