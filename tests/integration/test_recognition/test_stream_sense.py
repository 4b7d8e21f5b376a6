"""k of n frames before an alert, and the alert's best shot: a real server with the real models,
frames pushed for a camera as a push camera sends them, on both database engines.

The frames are the photos of tests/data at several sizes (a person walking towards the camera) and
a street photo with no face for the frames where the person is not in view.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
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

DEFAULTS = Settings()
ALERT_WAIT_S = 30.0  # a bound on a hang, not a latency goal
NO_FACE = EU_PLATES / "eu1.jpg"  # a street: a car, nobody in view


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
async def live(settings: Settings, db: Database, models_dir: Path) -> AsyncIterator[Live]:
    """A server with the default window (3 of 5), not the one-frame window of older tests."""
    assert (DEFAULTS.recognition_confirm_k, DEFAULTS.recognition_confirm_n) == (3, 5)
    changed = recognition_settings(
        settings,
        models_dir,
        recognition_confirm_k=DEFAULTS.recognition_confirm_k,
        recognition_confirm_n=DEFAULTS.recognition_confirm_n,
    )
    async with serve(changed, db) as running:
        yield running


def _jpeg(photo: Path, scale: float = 1.0) -> bytes:
    image = read_image(photo)
    if scale != 1.0:
        image = np.asarray(
            cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8
        )
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return bytes(encoded.tobytes())


async def _push(client: httpx.AsyncClient, camera_id: int, frame: bytes) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/cameras/{camera_id}/frames",
        content=frame,
        headers={"Content-Type": "image/jpeg"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert result["status"] == "analysed"
    return result


async def _enrolled_obama(client: httpx.AsyncClient) -> dict[str, Any]:
    watchlist = await created(client, "/api/v1/watchlists", {"name": "wanted persons"})
    persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
    person = await created(client, persons, {"name": "Barack Obama"})
    photo = await client.post(
        f"{persons}/{person['id']}/photos", content=OBAMA.read_bytes(), timeout=60
    )
    assert photo.status_code == 201, photo.text
    return person


async def _alert_count(db: Database) -> int:
    rows = await db.fetch("SELECT COUNT(*) AS n FROM alerts")
    return int(rows[0]["n"])


async def test_a_face_in_one_frame_of_ten_raises_nothing(live: Live, db: Database) -> None:
    admin, camera_token = await live.token(Role.ADMIN), await live.token(Role.CAMERA)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        camera = await created(client, "/api/v1/cameras", {"name": "lobby", "kind": "face"})
        await _enrolled_obama(client)
    await models_loaded(live, admin)
    frames = [_jpeg(OBAMA_AGAIN) if i == 4 else _jpeg(NO_FACE) for i in range(10)]
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(camera_token)) as cam:
        results = [await _push(cam, camera["id"], frame) for frame in frames]
    assert [r["faces"] for r in results] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert all(r["alerts"] == [] and r["sightings"] == [] for r in results)
    assert await _alert_count(db) == 0
    assert await db.fetch("SELECT id FROM recognition_crops") == []


async def _face_boxes(client: httpx.AsyncClient, frame: bytes) -> list[list[float]]:
    response = await client.post("/api/v1/recognition/faces", content=frame, timeout=60)
    assert response.status_code == 200, response.text
    return [face["box"] for face in response.json()["faces"] if face["match"]]


async def test_a_face_in_three_of_five_frames_raises_one_alert_with_the_best_shot(
    live: Live, db: Database
) -> None:
    admin, dispatcher, camera_token = (
        await live.token(Role.ADMIN),
        await live.token(Role.DISPATCHER),
        await live.token(Role.CAMERA),
    )
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        camera = await created(client, "/api/v1/cameras", {"name": "gate", "kind": "face"})
        person = await _enrolled_obama(client)
        # far, gone, close, gone, halfway: the close frame (the middle one) is the best shot
        frames = [
            _jpeg(OBAMA_AGAIN, 0.5),
            _jpeg(NO_FACE),
            _jpeg(OBAMA_AGAIN, 1.0),
            _jpeg(NO_FACE),
            _jpeg(OBAMA_AGAIN, 0.7),
        ]
        boxes = [await _face_boxes(client, frame) for frame in frames]
    assert [len(b) for b in boxes] == [1, 0, 1, 0, 1]  # the person matches in each of the three
    socket, _ = await open_socket(live, "/ws/dispatch", dispatcher)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(camera_token)) as cam:
        results = [await _push(cam, camera["id"], frame) for frame in frames]
        assert [r["alerts"] for r in results[:4]] == [[], [], [], []]
        (alert_id,) = results[4]["alerts"]
        alert = await next_alert(socket, ALERT_WAIT_S)
        assert alert["id"] == alert_id
        assert alert["details"]["person_id"] == person["id"]
        assert alert["details"]["box"] == boxes[2][0]  # the close frame's face, not the last's
        later = await _push(cam, camera["id"], _jpeg(OBAMA_AGAIN, 0.8))
        assert later["alerts"] == []  # still in view: the cooldown holds, as before
        assert await no_alert(socket)
    await socket.close()
    assert await _alert_count(db) == 1
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as client:
        crop = await client.get(alert["details"]["crop_url"])
    assert crop.status_code == 200
    close_crop = cv2.imdecode(np.frombuffer(crop.content, np.uint8), cv2.IMREAD_COLOR)
    assert close_crop is not None
    width = boxes[2][0][2]
    assert close_crop.shape[1] >= 1.5 * width  # the crop of the close face, with its margin


async def _plate_reads(client: httpx.AsyncClient, frame: bytes) -> list[dict[str, Any]]:
    response = await client.post("/api/v1/recognition/plates", content=frame, timeout=60)
    assert response.status_code == 200, response.text
    reads: list[dict[str, Any]] = response.json()["plates"]
    return [read for read in reads if read["list"] == "wanted"]


async def test_a_wanted_plate_needs_three_of_five_frames_and_keeps_the_most_confident_read(
    live: Live, db: Database
) -> None:
    admin, camera_token = await live.token(Role.ADMIN), await live.token(Role.CAMERA)
    truth = read_plate_truths(EU_PLATES)[0]
    photo = EU_PLATES / truth.file
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        camera = await created(client, "/api/v1/cameras", {"name": "barrier", "kind": "plate"})
        wanted = await created(client, "/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"})
        await created(client, f"/api/v1/plates/lists/{wanted['id']}/entries", {"plate": truth.text})
        sizes = [0.6, 1.0, 0.8]
        shots = [_jpeg(photo, scale) for scale in sizes]
        reads = [await _plate_reads(client, shot) for shot in shots]
    assert [len(r) for r in reads] == [1, 1, 1]  # the plate is read off the list in each size
    best = max(range(3), key=lambda i: reads[i][0]["confidence"])
    blank = _jpeg(OBAMA)  # a frame with no car in it
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(camera_token)) as cam:
        once = [await _push(cam, camera["id"], shots[1] if i == 2 else blank) for i in range(10)]
        assert all(r["alerts"] == [] for r in once)
        assert await _alert_count(db) == 0
        window = [shots[0], blank, shots[1], blank, shots[2]]
        results = [await _push(cam, camera["id"], frame) for frame in window]
    assert [r["alerts"] for r in results[:4]] == [[], [], [], []]
    (alert_id,) = results[4]["alerts"]
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        alert = (await client.get(f"/api/v1/alerts/{alert_id}")).json()
    assert alert["kind"] == "plate_wanted"
    assert alert["details"]["confidence"] == reads[best][0]["confidence"]
    assert alert["details"]["box"] == reads[best][0]["box"]
    assert await _alert_count(db) == 1
