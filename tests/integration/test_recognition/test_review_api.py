"""Review of recognition alerts through the API, with the real models on real photos, on both
engines: a face of one person wrongly matched to another (a low threshold forces it), marked
wrong, no longer matches; marked correct after all, matches again. Verdicts are idempotent and
keep their history; the threshold-rates table is served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import cv2
import pytest

from recognition.images import read_image
from server.db import Database
from server.settings import Settings
from tests.datafiles import YALE_FACES
from tests.integration.live import Live, serve
from tests.integration.test_recognition.review_desk import Desk, staffed
from tests.integration.test_server.recognition_support import created, recognition_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LISTED = YALE_FACES / "subject03.happy"  # enrolled as "subject 03"
STRANGER = YALE_FACES / "subject01.surprised"  # another man: similarity ~0.32 to the above
LOW_THRESHOLD = 0.3  # the lowest a watchlist takes: low enough for that wrong match


def jpeg(photo: Path) -> bytes:
    """Yale's photos are GIFs; cameras and enrolment send JPEGs."""
    ok, encoded = cv2.imencode(".jpg", read_image(photo), [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return encoded.tobytes()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
async def live(settings: Settings, db: Database, models_dir: Path) -> AsyncIterator[Live]:
    async with serve(recognition_settings(settings, models_dir), db) as running:
        yield running


@pytest.fixture
async def desk(live: Live) -> AsyncIterator[Desk]:
    async with staffed(live, {"name": "hall", "kind": "face", "cooldown_s": 0}) as running:
        yield running


async def _enrol(desk: Desk) -> tuple[dict[str, Any], dict[str, Any]]:
    watchlist = await created(
        desk.admin, "/api/v1/watchlists", {"name": "wanted", "threshold": LOW_THRESHOLD}
    )
    persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
    person = await created(desk.admin, persons, {"name": "subject 03"})
    enrolled = await desk.admin.post(f"{persons}/{person['id']}/photos", content=jpeg(LISTED))
    assert enrolled.status_code == 201, enrolled.text
    return watchlist, person


async def test_a_wrong_face_match_marked_wrong_stops_matching_and_correct_restores_it(
    desk: Desk,
) -> None:
    watchlist, person = await _enrol(desk)
    stranger = jpeg(STRANGER)
    person_path = f"/api/v1/watchlists/{watchlist['id']}/persons/{person['id']}"
    (alert_id,) = await desk.push(stranger)  # the wrong match the low threshold lets through

    (queued,) = await desk.recent("unreviewed")
    assert queued["alert_id"] == alert_id
    assert queued["kind"] == "face_match"
    assert (queued["subject"], queued["person_id"]) == ("subject 03", person["id"])
    assert (queued["watchlist"], queued["watchlist_id"]) == ("wanted", watchlist["id"])
    assert queued["camera"] == "hall"
    assert LOW_THRESHOLD <= queued["score"] < 0.5
    assert queued["threshold"] == LOW_THRESHOLD
    assert queued["review"] is None
    crop = await desk.dispatcher.get(queued["crop_url"])
    assert crop.status_code == 200
    assert crop.content.startswith(b"\xff\xd8")  # a JPEG

    wrong = await desk.review(alert_id, {"verdict": "wrong", "note": "another man"})
    assert wrong.status_code == 201, wrong.text
    outcome = wrong.json()
    assert outcome["changed"] is True
    assert outcome["replaced"] is None
    assert outcome["review"]["verdict"] == "wrong"
    assert outcome["review"]["reviewer"].startswith("dispatcher:")
    assert outcome["review"]["negative_photo_id"] is not None
    assert len(outcome["history"]) == 1

    again = await desk.review(alert_id, {"verdict": "wrong"})
    assert again.status_code == 200, again.text
    assert again.json()["changed"] is False
    assert again.json()["review"] == outcome["review"]
    assert len(again.json()["history"]) == 1

    await asyncio.sleep(0.01)  # cooldown_s is 0: a match now would be a new alert
    assert await desk.push(stranger) == []  # the same face no longer matches subject 03
    person_now = await desk.admin.get(person_path)
    assert person_now.json()["negatives"] == 1

    assert await desk.recent("unreviewed") == []
    (reviewed,) = await desk.recent("all")
    assert reviewed["review"]["verdict"] == "wrong"
    assert reviewed["review"]["note"] == "another man"

    correct = await desk.review(alert_id, {"verdict": "correct"})
    assert correct.status_code == 201, correct.text
    assert correct.json()["replaced"] == "wrong"
    assert [r["verdict"] for r in correct.json()["history"]] == ["wrong", "correct"]
    person_now = await desk.admin.get(person_path)
    assert person_now.json()["negatives"] == 0  # the negative example went with the verdict
    reviewer = outcome["review"]["reviewer"]  # the dispatcher who reviewed, never "system"
    assert await desk.audit_actors("watchlist.negative_add") == [reviewer]
    assert await desk.audit_actors("watchlist.photo_remove") == [reviewer]
    await asyncio.sleep(0.01)
    assert len(await desk.push(stranger)) == 1  # so the face matches again

    incident_id = reviewed["incident_id"]
    timeline = (await desk.dispatcher.get(f"/api/v1/incidents/{incident_id}/timeline")).json()
    verdicts = [e["data"]["verdict"] for e in timeline if e["kind"] == "recognition_reviewed"]
    assert verdicts == ["wrong", "correct"]


async def test_reviews_refuse_what_is_not_a_recognition(desk: Desk) -> None:
    missing = await desk.review(999_999, {"verdict": "wrong"})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    panic = await desk.dispatcher.post("/api/v1/alerts", json={"kind": "panic"})
    assert panic.status_code in (200, 201), panic.text
    refused = await desk.review(panic.json()["id"], {"verdict": "correct"})
    assert (refused.status_code, refused.json()["code"]) == (422, "not_a_recognition")
    assert refused.json()["message"]
    bad = await desk.review(panic.json()["id"], {"verdict": "maybe"})
    assert bad.status_code == 400
    camera = await desk.admin.get(
        "/api/v1/recognitions/recent", headers=desk.live.headers(desk.camera_token)
    )
    assert camera.status_code == 403


async def test_the_threshold_rates_are_served(desk: Desk) -> None:
    response = await desk.dispatcher.get("/api/v1/watchlists/threshold-rates")
    assert response.status_code == 200, response.text
    table = response.json()
    assert table["impostor_pairs"] > 1000
    assert table["genuine_pairs"] > 200
    thresholds = [rate["threshold"] for rate in table["rates"]]
    assert thresholds[0] <= LOW_THRESHOLD
    assert thresholds[-1] >= 0.95
    false_rates = [rate["false_match_rate"] for rate in table["rates"]]
    assert false_rates == sorted(false_rates, reverse=True)
    at_low = next(rate for rate in table["rates"] if rate["threshold"] == LOW_THRESHOLD)
    assert at_low["false_match_rate"] > 0  # the wrong match of the test above is no accident
