"""A watchlist or plate list changed anywhere is matched on every node (server.recognition.lists):
real `posbon serve` processes, recognition inline, the real models.

Each node here has loaded its indexes (its first frame loads them) before the change is made,
so only what carries the change to it can make it match: on the PostgreSQL cluster the revision
check is an hour away and only the doorbell can; on the single SQLite node the change is a
`posbon plates import` run in its own process, which rings no one, and only the check can.
The nodes, the tokens and the frames are those of the shared cooldown's tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from recognition.models import ModelPaths
from server.db import Database
from tests.datafiles import OBAMA, OBAMA_AGAIN
from tests.eventually import eventually
from tests.integration.test_cluster.nodes import require_redis
from tests.integration.test_recognition.node_api import (
    FRAME_TIMEOUT_S,
    Api,
    api_of,
    recognition_env,
    two_apis,
    wanted_frame,
)
from tests.integration.test_server.process import ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MATCHED_WITHIN_S = 10.0
CHECK_ONLY_HOURLY = {"POSBON_RECOGNITION_LIST_CHECK_S": "3600"}
CHECK_OFTEN = {"POSBON_RECOGNITION_LIST_CHECK_S": "0.5"}


async def _camera(api: Api, kind: str) -> int:
    camera = await api.post("/api/v1/cameras", {"name": f"{kind} camera", "kind": kind})
    return int(camera["id"])


async def _raised(api: Api, camera_id: int, frame: bytes) -> list[int]:
    """The alerts one pushed frame raised (none yet: the node does not know the list)."""
    alerts: list[int] = (await api.push(camera_id, frame))["alerts"]
    return alerts


async def _enrol(api: Api, photos_path: str, photo: bytes) -> None:
    headers = {"Authorization": f"Bearer {api.admin}"}
    async with httpx.AsyncClient(
        base_url=api.http, headers=headers, timeout=FRAME_TIMEOUT_S
    ) as client:
        response = await client.post(photos_path, content=photo)
    assert response.status_code == 201, response.text


async def _alert(api: Api, alert_id: int) -> dict[str, Any]:
    alert: dict[str, Any] = await api.get(f"/api/v1/alerts/{alert_id}")
    return alert


@pytest.fixture
def engine_name() -> str:
    return "postgres"


@pytest.fixture
def nodes(
    tmp_path: Path, postgres_url: str, db: Database, model_paths: ModelPaths
) -> Iterator[tuple[Api, Api]]:
    """Nodes A and B on the session's PostgreSQL (emptied by `db`) and Redis."""
    require_redis()
    with two_apis(tmp_path, postgres_url, model_paths, CHECK_ONLY_HOURLY) as apis:
        yield apis


@pytest.mark.postgres
async def test_a_plate_and_a_person_added_on_node_a_are_matched_on_node_b(
    nodes: tuple[Api, Api],
) -> None:
    a, b = nodes
    plate, plate_frame = wanted_frame()
    gate, lobby = await _camera(a, "plate"), await _camera(a, "face")
    assert await _raised(b, gate, plate_frame) == []  # B loads its models and its lists

    wanted = await a.post("/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"})
    await a.post(f"/api/v1/plates/lists/{wanted['id']}/entries", {"plate": plate})
    (alert_id,) = await eventually(
        lambda: _raised(b, gate, plate_frame), timeout_s=MATCHED_WITHIN_S
    )
    assert (await _alert(b, alert_id))["details"]["list_id"] == wanted["id"]

    face_frame = OBAMA_AGAIN.read_bytes()
    assert await _raised(b, lobby, face_frame) == []
    watchlist = await a.post("/api/v1/watchlists", {"name": "wanted persons"})
    persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
    person = await a.post(persons, {"name": "Barack Obama"})
    await _enrol(a, f"{persons}/{person['id']}/photos", OBAMA.read_bytes())
    (face_alert_id,) = await eventually(
        lambda: _raised(b, lobby, face_frame), timeout_s=MATCHED_WITHIN_S
    )
    details = (await _alert(b, face_alert_id))["details"]
    assert (details["person_id"], details["person"]) == (person["id"], "Barack Obama")


async def test_a_plates_import_run_beside_a_running_node_is_matched_within_the_check(
    tmp_path: Path, model_paths: ModelPaths
) -> None:
    node = ServerProcess(tmp_path / "node", env=recognition_env(model_paths) | CHECK_OFTEN)
    plate, frame = wanted_frame()
    sheet = tmp_path / "stolen.csv"
    sheet.write_text(f"plate,note\n{plate},stolen on Monday\n")
    node.start()
    try:
        api = api_of(node)
        gate = await _camera(api, "plate")
        assert await _raised(api, gate, frame) == []  # the node loads its models and lists

        node.command("plates", "import", str(sheet), "--list", "stolen", "--kind", "wanted")
        (alert_id,) = await eventually(
            lambda: _raised(api, gate, frame), timeout_s=MATCHED_WITHIN_S
        )
        assert (await _alert(api, alert_id))["details"]["list"] == "stolen"
    finally:
        node.stop()
