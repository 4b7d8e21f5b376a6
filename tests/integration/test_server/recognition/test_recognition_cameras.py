"""Pull cameras, foreign plates, negative examples and lazy model loading, with the real models.

SQLite only, like test_recognition_alerts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import pytest

from recognition.evaluation.accuracy import read_plate_truths
from recognition.images import read_image
from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.datafiles import EU_PLATES, OBAMA, OBAMA_AGAIN
from tests.integration.live import Live, serve
from tests.integration.test_server.helpers import open_socket
from tests.integration.test_server.recognition_support import (
    created,
    models_loaded,
    next_alert,
    no_alert,
    recognition_settings,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

VIDEO_FPS = 10.0
VIDEO_FRAMES = 20
PULL_ALERT_WITHIN_S = 30.0


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


def _video_of(photo: Path, path: Path) -> Path:
    """A short MJPEG video of one photo, as a stand-in for a camera stream."""
    image = read_image(photo)
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), VIDEO_FPS, (width, height))
    for _ in range(VIDEO_FRAMES):
        writer.write(image)
    writer.release()
    return path


async def test_a_pulled_video_stream_raises_one_alert_and_reports_its_frame_rate(
    live: Live, tmp_path: Path
) -> None:
    admin, dispatcher = await live.token(Role.ADMIN), await live.token(Role.DISPATCHER)
    truth = read_plate_truths(EU_PLATES)[0]
    video = _video_of(EU_PLATES / truth.file, tmp_path / "gate.avi")
    socket, _ = await open_socket(live, "/ws/dispatch", dispatcher)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        wanted = await created(client, "/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"})
        await created(client, f"/api/v1/plates/lists/{wanted['id']}/entries", {"plate": truth.text})
        camera = await created(
            client, "/api/v1/cameras", {"name": "gate", "kind": "plate", "url": str(video)}
        )
        alert = await next_alert(socket, PULL_ALERT_WITHIN_S)
        assert alert["kind"] == "plate_wanted"
        assert alert["details"]["camera_id"] == camera["id"]
        assert await no_alert(socket, 2.0)  # the looping video keeps showing it: sightings
        health = (await client.get(f"/api/v1/cameras/{camera['id']}/status")).json()
        removed = await client.delete(f"/api/v1/cameras/{camera['id']}")
    await socket.close()
    status = health["status"]
    assert status["state"] == "live"
    assert status["frames_analysed"] >= 2
    assert status["fps_received"] > 0
    assert status["frames_received"] >= status["frames_analysed"] + status["frames_skipped"] - 1
    assert status["lag_ms"] is not None
    assert removed.status_code == 204


async def test_an_unknown_plate_at_a_site_with_an_own_list_is_foreign(live: Live) -> None:
    admin, camera_token = await live.token(Role.ADMIN), await live.token(Role.CAMERA)
    truth = read_plate_truths(EU_PLATES)[0]
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        site = await created(client, "/api/v1/sites", {"name": "Hotel"})
        own = await created(
            client, "/api/v1/plates/lists", {"name": "staff", "kind": "own", "site_id": site["id"]}
        )
        await created(client, f"/api/v1/plates/lists/{own['id']}/entries", {"plate": "30A123BC"})
        camera = await created(
            client,
            "/api/v1/cameras",
            {"name": "hotel gate", "site_id": site["id"], "kind": "plate"},
        )
        elsewhere = await created(client, "/api/v1/cameras", {"name": "street", "kind": "plate"})
    await models_loaded(live, admin)
    async with httpx.AsyncClient(
        base_url=live.http, headers=live.headers(camera_token), timeout=60
    ) as client:
        frame = (EU_PLATES / truth.file).read_bytes()
        at_hotel = (
            await client.post(f"/api/v1/cameras/{camera['id']}/frames", content=frame)
        ).json()
        on_street = (
            await client.post(f"/api/v1/cameras/{elsewhere['id']}/frames", content=frame)
        ).json()
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        alerts = (await client.get("/api/v1/alerts", params={"kind": "plate_foreign"})).json()
    assert len(at_hotel["alerts"]) == 1
    assert on_street["alerts"] == []  # no own list there: nothing is foreign
    assert [a["details"]["camera"] for a in alerts] == ["hotel gate"]


async def test_a_negative_example_from_a_wrong_alert_stops_the_false_match(live: Live) -> None:
    admin, camera_token = await live.token(Role.ADMIN), await live.token(Role.CAMERA)
    async with httpx.AsyncClient(
        base_url=live.http, headers=live.headers(admin), timeout=60
    ) as client:
        camera = await created(
            client, "/api/v1/cameras", {"name": "hall", "kind": "face", "cooldown_s": 0}
        )
        watchlist = await created(client, "/api/v1/watchlists", {"name": "w"})
        persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
        person = await created(client, persons, {"name": "listed as Obama"})
        photo = OBAMA.read_bytes()
        enrolled = await client.post(f"{persons}/{person['id']}/photos", content=photo)
        assert enrolled.status_code == 201, enrolled.text

        async def push() -> dict[str, Any]:
            response = await client.post(
                f"/api/v1/cameras/{camera['id']}/frames",
                content=OBAMA_AGAIN.read_bytes(),
                headers=live.headers(camera_token),
            )
            result: dict[str, Any] = response.json()
            return result

        (alert_id,) = (await push())["alerts"]
        alert = (await client.get(f"/api/v1/alerts/{alert_id}")).json()
        negative = await client.post(
            f"{persons}/{person['id']}/negatives", params={"crop_id": alert["details"]["crop_id"]}
        )
        assert negative.status_code == 201, negative.text
        await asyncio.sleep(0.01)  # cooldown_s is 0: the next frame would be a new alert
        assert (await push())["alerts"] == []
        assert (await client.get(f"{persons}/{person['id']}")).json()["negatives"] == 1


async def test_serving_without_recognition_loads_no_models(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    models = tmp_path / "lazy-models"
    async with serve(recognition_settings(settings, models), db) as live:
        admin = await live.token(Role.ADMIN)
        async with httpx.AsyncClient(
            base_url=live.http, headers=live.headers(admin), timeout=60
        ) as client:
            await created(client, "/api/v1/watchlists", {"name": "w"})
            assert (await client.get("/api/v1/recognition/status")).json()["models_loaded"] is False
            assert not models.exists()
            started = time.monotonic()
            answer = await client.post(
                "/api/v1/recognition/plates", content=(EU_PLATES / "eu1.jpg").read_bytes()
            )
            first_use_s = time.monotonic() - started
    assert answer.status_code == 200
    assert (models / "manifest.json").is_file()  # prepared on first use
    print(f"first recognition request, models prepared and loaded: {first_use_s:.2f} s")
