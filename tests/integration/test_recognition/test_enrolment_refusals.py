"""A watchlist photo that cannot be enrolled says why and what to send instead: real photos of
tests/data made unusable the way operators' photos are (a group photo, a thumbnail, a shaky
shot), through a real server with the real models, on both database engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from recognition.images import read_image
from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.datafiles import BIDEN, EU_PLATES, OBAMA
from tests.integration.live import Live, serve
from tests.integration.test_server.recognition_support import created, recognition_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEFAULTS = Settings()
OBAMA_FACE_PX = 231  # the width YuNet finds for the face of tests/data's obama.jpg


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
async def live(settings: Settings, db: Database, models_dir: Path) -> AsyncIterator[Live]:
    async with serve(recognition_settings(settings, models_dir), db) as running:
        yield running


def _jpeg(image: np.ndarray[Any, Any]) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return bytes(encoded.tobytes())


def _side_by_side(left: Path, right: Path) -> bytes:
    """Two people in one photo: both photos at the same height, next to each other."""
    first, second = read_image(left), read_image(right)
    height = min(first.shape[0], second.shape[0])
    scaled = [
        cv2.resize(image, (round(image.shape[1] * height / image.shape[0]), height))
        for image in (first, second)
    ]
    return _jpeg(np.hstack(scaled))


def _thumbnail(photo: Path, face_px: float) -> bytes:
    """The photo shrunk until its face is about ``face_px`` wide."""
    scale = face_px / OBAMA_FACE_PX
    image = read_image(photo)
    return _jpeg(cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))


def _blurred(photo: Path) -> bytes:
    """Out of focus: a Gaussian blur of a twenty-fifth of the face's width."""
    return _jpeg(cv2.GaussianBlur(read_image(photo), (0, 0), OBAMA_FACE_PX / 25))


async def _person(client: httpx.AsyncClient) -> str:
    watchlist = await created(client, "/api/v1/watchlists", {"name": "wanted persons"})
    persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
    person = await created(client, persons, {"name": "Barack Obama"})
    return f"{persons}/{person['id']}"


async def _enrol(
    client: httpx.AsyncClient, person: str, photo: bytes, language: str = "en"
) -> httpx.Response:
    return await client.post(
        f"{person}/photos",
        content=photo,
        headers={"Content-Type": "image/jpeg", "Accept-Language": language},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("make", "code", "says"),
    [
        (lambda: EU_PLATES.joinpath("eu1.jpg").read_bytes(), "no_usable_face", "No face was found"),
        (lambda: _side_by_side(OBAMA, BIDEN), "several_faces", "shows 2 faces"),
        (lambda: _thumbnail(OBAMA, 40), "face_too_small", "needs at least 48 px"),
        (lambda: _blurred(OBAMA), "face_too_blurred", "too blurred to enrol"),
    ],
    ids=["no_face", "two_faces", "small", "blurred"],
)
async def test_a_photo_that_cannot_be_enrolled_is_refused_with_why_and_nothing_is_stored(
    live: Live, db: Database, make: Any, code: str, says: str
) -> None:
    assert (DEFAULTS.enrol_min_face_px, DEFAULTS.enrol_min_sharpness) == (48, 30.0)
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        person = await _person(client)
        refused = await _enrol(client, person, make())
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert body["code"] == code
        assert says in body["detail"]
        assert "send a" in body["detail"]  # what to send instead
        assert body["message"] == body["detail"]  # English asked, English given
        stored = (await client.get(person)).json()
    assert (stored["photos"], stored["negatives"]) == (0, 0)
    assert await db.fetch("SELECT id FROM watchlist_photos") == []


async def test_the_refusal_is_in_the_readers_language_and_a_good_photo_is_enrolled(
    live: Live,
) -> None:
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        person = await _person(client)
        small = await _enrol(client, person, _thumbnail(OBAMA, 40), language="ru")
        blurred = await _enrol(client, person, _blurred(OBAMA), language="uz-Latn")
        good = await _enrol(client, person, OBAMA.read_bytes())
    assert small.json()["code"] == "face_too_small"
    assert small.json()["message"].startswith("Лицо на фото шириной ")
    assert "не меньше 48 пикс." in small.json()["message"]
    assert blurred.json()["code"] == "face_too_blurred"
    assert blurred.json()["message"].startswith("Fotosuratdagi yuz ")
    assert "juda xira" in blurred.json()["message"]
    assert good.status_code == 201, good.text
    assert good.json()["faces_in_photo"] == 1
