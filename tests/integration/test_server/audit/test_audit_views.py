"""Views of people's faces are audited: a dispatcher opening a face crop leaves a
"face_crop.view" entry naming them, beside the watchlist changes that made the match possible.
Real models on a real server (SQLite only, like the other model runs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.datafiles import BIDEN
from tests.integration.live import Live, serve
from tests.integration.test_server.recognition_support import created, recognition_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
async def live(settings: Settings, db: Database, models_dir: Path) -> AsyncIterator[Live]:
    async with serve(recognition_settings(settings, models_dir), db) as running:
        yield running


async def test_a_face_crop_view_is_an_audit_entry_naming_the_viewer(live: Live) -> None:
    admin = live.headers(await live.token(Role.ADMIN))
    async with httpx.AsyncClient(base_url=live.http, headers=admin) as client:
        camera = await created(client, "/api/v1/cameras", {"name": "door", "kind": "face"})
        watchlist = await created(client, "/api/v1/watchlists", {"name": "vip"})
        persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
        person = await created(client, persons, {"name": "Joe Biden"})
        enrolled = await client.post(f"{persons}/{person['id']}/photos", content=BIDEN.read_bytes())
        assert enrolled.is_success
    camera_token = live.headers(await live.token(Role.CAMERA))
    async with httpx.AsyncClient(base_url=live.http, headers=camera_token) as client:
        pushed = await client.post(
            f"/api/v1/cameras/{camera['id']}/frames",
            content=BIDEN.read_bytes(),
            headers={"Content-Type": "image/jpeg"},
            timeout=60,
        )
    alert_id = pushed.json()["alerts"][0]
    dispatcher = live.headers(await live.token(Role.DISPATCHER))
    async with httpx.AsyncClient(base_url=live.http, headers=dispatcher) as client:
        alert = (await client.get(f"/api/v1/alerts/{alert_id}")).json()
        assert (await client.get(alert["details"]["crop_url"])).status_code == 200
    async with httpx.AsyncClient(base_url=live.http, headers=admin) as client:
        answer = await client.get("/api/v1/audit", params={"action": "face_crop."})
        changes = await client.get("/api/v1/audit", params={"action": "watchlist."})
    views: list[dict[str, Any]] = answer.json()
    assert len(views) == 1
    assert views[0]["actor"].startswith("dispatcher:")
    assert views[0]["target"] == f"crop:{alert['details']['crop_id']}"
    assert views[0]["after"] == {"alert_id": alert_id, "incident_id": alert["incident_id"]}
    assert [entry["action"] for entry in changes.json()] == [
        "watchlist.photo_add",
        "watchlist.person_create",
        "watchlist.create",
    ]
