"""A redacted copy through the shipped process (`posbon serve`): a station uploads a street scene
(two faces crossing, a car's plate), a dispatcher starts a redaction, the served process finds
the faces and the plate, the dispatcher keeps its proposal and renders, and the copy is a new
evidence item: played through the ordinary evidence route with the SHA-256 the job reports,
linked to the original on both custody logs, the original untouched."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import httpx
import pytest

from sync.client import SyncClient
from sync.mutations import RecordingCreateV1
from tests.acceptance.support import ServedPosbon
from tests.acceptance.test_crews_and_evidence import recording_facts, upload_with_tuspy
from tests.eventually import eventually
from tests.integration.test_recognition.redaction_video import write_scene_video

pytestmark = pytest.mark.acceptance
JOB_WAIT_S: Final = 180.0
"""The models load on first use, then a 50-frame scene is searched: well under a minute here."""


async def _uploaded_scene(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], folder: Path
) -> tuple[str, bytes]:
    token = served.token("upload_station")
    video = write_scene_video(folder / "BWC0003_0001.mp4").path
    data = video.read_bytes()
    station = devices(served.http, token)
    recording_id = station.new_id()
    facts = recording_facts(video, hashlib.sha256(data).hexdigest())
    station.enqueue(RecordingCreateV1, entity_id=recording_id, facts=facts)
    await station.sync()
    await asyncio.to_thread(upload_with_tuspy, served, token, video, str(recording_id))
    return str(recording_id), data


async def _once(desk: httpx.AsyncClient, redaction_id: str, state: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any]:
        job: dict[str, Any] = (await desk.get(f"/api/v1/redactions/{redaction_id}")).json()
        assert job["state"] != "failed", job["error"]
        assert job["state"] == state, job["state"]
        return job

    return await eventually(reached, timeout_s=JOB_WAIT_S, interval_s=0.5)


async def test_a_recording_is_redacted_into_a_new_evidence_item(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], tmp_path: Path
) -> None:
    recording_id, original = await _uploaded_scene(served, devices, tmp_path)
    async with served.api(served.token("dispatcher")) as desk:
        started = await desk.post(f"/api/v1/recordings/{recording_id}/redactions", json={})
        assert started.status_code == 202, served.explain(started.text)
        redaction_id = started.json()["id"]
        proposal = await _once(desk, redaction_id, "review")
        frame = await desk.get(f"/api/v1/redactions/{redaction_id}/frames/10?boxes=true")
        rendering = await desk.post(f"/api/v1/redactions/{redaction_id}/render", json={})
        assert rendering.status_code == 202, rendering.text
        done = await _once(desk, redaction_id, "done")
        derivative_id = done["derivative_id"]
        copy = await desk.get(f"/api/v1/recordings/{derivative_id}/file")
        replayed = await desk.get(f"/api/v1/recordings/{recording_id}/file")
        listed = (await desk.get(f"/api/v1/recordings/{recording_id}/derivatives")).json()
        original_log = (await desk.get(f"/api/v1/recordings/{recording_id}/custody")).json()
        copy_log = (await desk.get(f"/api/v1/recordings/{derivative_id}/custody")).json()
        check = (await desk.get(f"/api/v1/recordings/{derivative_id}/custody/verify")).json()

    kinds = sorted({track["kind"] for track in proposal["tracks"]})
    assert kinds == ["face", "plate"]
    assert (frame.status_code, frame.headers["content-type"]) == (200, "image/jpeg")
    assert copy.status_code == 200
    assert hashlib.sha256(copy.content).hexdigest() == done["derivative_sha256"]
    assert copy.content != original
    assert replayed.content == original  # the original is never altered
    assert derivative_id in str(listed)
    derived = [entry for entry in original_log if entry["kind"] == "derived"]
    assert len(derived) == 1
    assert derivative_id in str(derived[0]["data"])
    assert [entry["kind"] for entry in copy_log][:2] == ["received", "verified"]
    assert check["intact"] is True
