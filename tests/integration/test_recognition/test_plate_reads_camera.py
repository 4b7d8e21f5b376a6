"""From a camera frame to the plate read log and to a "possible" wanted-plate alert: real models,
real photos (tests/data/plates), a real server. SQLite only: these runs are the expensive ones,
and the log's SQL runs on both engines in test_plate_reads_search.py.

test_008.jpg reads as LM298AI with its last character uncertain (the reader gives it 0.62), so a
wanted LM 298 AT differs from the read only where the reader was unsure: a possible match. With
``plate_match_distance`` 0 nothing but that uncertainty can match it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.datafiles import EU_PLATES
from tests.eventually import eventually
from tests.integration.live import Live, serve
from tests.integration.test_server.recognition_support import (
    created,
    models_loaded,
    recognition_settings,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

UNSURE_PHOTO = EU_PLATES / "test_008.jpg"  # read: LM298AI, position 6 uncertain
UNLISTED_PHOTO = EU_PLATES / "eu1.jpg"  # read: M5XSX, every position sure


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
async def live(settings: Settings, db: Database, models_dir: Path) -> AsyncIterator[Live]:
    exact_only = recognition_settings(settings, models_dir, plate_match_distance=0)
    async with serve(exact_only, db) as running:
        yield running


async def _push(client: httpx.AsyncClient, camera_id: int, photo: Path) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/cameras/{camera_id}/frames",
        content=photo.read_bytes(),
        headers={"Content-Type": "image/jpeg"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _logged(db: Database, count: int) -> list[dict[str, Any]]:
    async def rows() -> list[dict[str, Any]] | None:
        found = await db.fetch(
            "SELECT camera_id, site_id, plate, confidence, crop_id FROM plate_reads ORDER BY id"
        )
        return found if len(found) >= count else None

    found: list[dict[str, Any]] | None = await eventually(rows, timeout_s=30)
    assert found is not None
    return found


async def test_camera_reads_are_logged_and_an_unsure_read_of_a_wanted_plate_is_possible(
    live: Live, db: Database
) -> None:
    admin, dispatcher = await live.token(Role.ADMIN), await live.token(Role.DISPATCHER)
    camera_token = await live.token(Role.CAMERA)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        site = await created(client, "/api/v1/sites", {"name": "Depot", "lat": 41.3, "lon": 69.2})
        camera = await created(
            client, "/api/v1/cameras", {"name": "ramp", "site_id": site["id"], "kind": "plate"}
        )
        wanted = await created(client, "/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"})
        entries = f"/api/v1/plates/lists/{wanted['id']}/entries"
        await created(client, entries, {"plate": "LM 298 AT"})
        await created(client, entries, {"plate": "LX 298 AI"})  # off where the reader was sure
    await models_loaded(live, admin)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(camera_token)) as cam:
        unsure = await _push(cam, camera["id"], UNSURE_PHOTO)
        unlisted = await _push(cam, camera["id"], UNLISTED_PHOTO)
    assert unsure["plates"] == ["LM298AI"]
    assert (unlisted["plates"], unlisted["alerts"]) == (["M5XSX"], [])
    (alert_id,) = unsure["alerts"]
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as client:
        alert = (await client.get(f"/api/v1/alerts/{alert_id}")).json()
        logged = await _logged(db, 2)
        found = (await client.get("/api/v1/plates/reads", params={"plate": "lm 298 a1"})).json()
    assert alert["kind"] == "plate_wanted"
    assert alert["priority"] == 3  # a sure wanted plate is 2
    details = alert["details"]
    assert (details["possible"], details["listed_plate"], details["uncertain"]) == (
        True,
        "LM 298 AT",
        [6],
    )
    assert alert["description"].startswith("Possible match: wanted plate LM 298 AT")
    assert [(row["plate"], row["crop_id"]) for row in logged] == [
        ("LM298AI", details["crop_id"]),  # the crop its alert stored
        ("M5XSX", None),  # unlisted: no crop was cut or kept
    ]
    assert {(row["camera_id"], row["site_id"]) for row in logged} == {(camera["id"], site["id"])}
    crops = await db.fetch("SELECT alert_id FROM recognition_crops")
    assert crops == [{"alert_id": alert_id}]
    assert [(r["plate"], r["camera"], r["crop_id"], r["distance"]) for r in found] == [
        ("LM298AI", "ramp", details["crop_id"], 0)
    ]
