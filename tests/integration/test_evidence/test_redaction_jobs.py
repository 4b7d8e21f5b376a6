"""Redaction jobs survive the server: a restart mid-proposal resumes the job, a job that keeps
stopping the server is failed with a reason, and the routes refuse what they must (roles, states,
tracks outside the picture, unknown ids)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from recognition.redaction import Box, Track, TrackKind, VideoInfo
from server.auth.schemas import Role
from server.db import Database
from server.evidence import redaction_repository
from server.evidence.redaction_schemas import Redaction, RedactionState
from server.evidence.redaction_worker import MAX_ATTEMPTS, RedactionWorker
from server.recognition.runtime import Recognition
from server.settings import Settings
from server.uploads.service import open_uploads
from sync.hlc import HybridClock
from tests.eventually import eventually
from tests.integration.live import serve
from tests.integration.test_evidence.redaction_support import (
    client,
    job_in,
    manual_track,
    settings_for,
    uploaded_scene,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.mark.slow
async def test_a_restart_mid_proposal_resumes_the_job(
    settings: Settings, db: Database, models_dir: Path, tmp_path: Path
) -> None:
    chosen = settings_for(settings, models_dir)
    async with serve(chosen, db) as live:
        original = await uploaded_scene(live, tmp_path, frame_count=200)
        async with await client(live) as api:
            started = await api.post(f"/api/v1/recordings/{original.recording_id}/redactions")
            redaction_id = started.json()["id"]

            async def under_way() -> bool:
                job = (await api.get(f"/api/v1/redactions/{redaction_id}")).json()
                return bool(job["state"] == "proposing" and job["progress"] > 0)

            await eventually(under_way, timeout_s=120.0, interval_s=0.1)
    stopped = await redaction_repository.find(db, redaction_id)
    assert stopped is not None
    assert (stopped.state, stopped.attempts) == (RedactionState.PROPOSING, 1)
    assert 0 < stopped.progress < 1

    async with serve(chosen, db) as live, await client(live) as api:
        review = await job_in(api, redaction_id, "review")
    assert review["video"]["frame_count"] == 200
    assert any(track["kind"] == "face" for track in review["tracks"])


@pytest.mark.parametrize(
    "engine_name", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_a_job_that_keeps_stopping_the_server_fails_with_a_reason(
    settings: Settings, db: Database
) -> None:
    now = dt.datetime.now(dt.UTC)
    job = Redaction(
        id="01000000-0000-7000-8000-000000000001",
        recording_id="01000000-0000-7000-8000-000000000002",
        source_sha256="0" * 64,
        state=RedactionState.RENDERING,
        progress=0.3,
        requested_by="dispatcher:1",
        attempts=MAX_ATTEMPTS,
        video=VideoInfo(fps=25.0, frame_count=10, width_px=64, height_px=64),
        tracks=[],
        created_at=now,
        updated_at=now,
    )
    async with db.write():
        await redaction_repository.insert(db, job)
    clock = HybridClock()
    worker = RedactionWorker(
        db,
        open_uploads(settings, db, clock).store,
        Recognition(settings, db, clock),
        clock,
        settings.evidence_path,
    )
    stored = await redaction_repository.next_working(db)
    assert stored == job
    await worker.run_one(stored)
    failed = await redaction_repository.find(db, job.id)
    assert failed is not None
    assert failed.state is RedactionState.FAILED
    assert f"stopped {MAX_ATTEMPTS} times while rendering" in failed.error
    assert await redaction_repository.next_working(db) is None


async def test_the_routes_refuse_wrong_roles_states_and_boxes(
    settings: Settings, db: Database, models_dir: Path, tmp_path: Path
) -> None:
    async with serve(settings_for(settings, models_dir), db) as live:
        original = await uploaded_scene(live, tmp_path, frame_count=10)
        station = await live.token(Role.UPLOAD_STATION)
        redactions = f"/api/v1/recordings/{original.recording_id}/redactions"
        async with httpx.AsyncClient(
            base_url=live.http, headers=live.headers(station)
        ) as as_station:
            refused = await as_station.post(redactions)
        async with await client(live) as api:
            unknown_recording = await api.post("/api/v1/recordings/nope/redactions")
            unknown_job = await api.get("/api/v1/redactions/nope")
            started = await api.post(redactions, json={"detect_every_n_frames": 1})
            too_sparse = await api.post(redactions, json={"detect_every_n_frames": 0})
            redaction_id = started.json()["id"]
            early_render = await api.post(f"/api/v1/redactions/{redaction_id}/render")
            await job_in(api, redaction_id, "review")
            tracks = f"/api/v1/redactions/{redaction_id}/tracks"
            outside = await api.put(
                tracks, json={"tracks": [manual_track(3, (700, 10, 20, 20), 2)]}
            )
            past_end = await api.put(tracks, json={"tracks": [manual_track(10, (1, 1, 5, 5), 2)]})
            twice = manual_track(3, (1, 1, 5, 5), 2)
            same_id = await api.put(tracks, json={"tracks": [twice, twice]})
            clipped = await api.put(
                tracks, json={"tracks": [manual_track(3, (630, -5, 40, 20), 2)]}
            )
            listed = await api.get(redactions)
        async with httpx.AsyncClient(base_url=live.http) as anonymous:
            page = await anonymous.get(f"/evidence/redact/{redaction_id}")
            data = await anonymous.get(f"/api/v1/redactions/{redaction_id}")
    assert refused.status_code == 403
    assert unknown_recording.status_code == 404
    assert unknown_job.status_code == 404
    assert started.status_code == 202
    assert too_sparse.status_code == 400
    assert early_render.status_code in (202, 409)  # 409 while proposing; 202 if already done
    assert (outside.status_code, past_end.status_code, same_id.status_code) == (400, 400, 400)
    assert clipped.status_code == 200, clipped.text
    expected = Track(
        track_id=clipped.json()["tracks"][0]["track_id"],
        kind=TrackKind.MANUAL,
        keyframes=[(3, Box(630, 0, 10, 15))],
        first_frame=1,
        last_frame=5,
    )
    stored = await redaction_repository.find(db, redaction_id)
    assert stored is not None
    assert stored.tracks == [expected]
    assert [job["id"] for job in listed.json()] == [redaction_id]
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert data.status_code == 401  # the page holds no data; the API needs the token
