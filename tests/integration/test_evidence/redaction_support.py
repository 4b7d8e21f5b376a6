"""Shared pieces of the redaction tests: a live server with the recognition models, the suite's
street scene uploaded as a verified recording, and waiting on a job's state."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import msgspec

from server.auth.schemas import Role
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import register_recording, upload_with_tuspy
from tests.integration.test_recognition.redaction_video import SceneVideo, write_scene_video
from tests.integration.test_server.recognition_support import recognition_settings

__all__ = ["recognition_settings"]

JOB_TIMEOUT_S = 300.0
"""Proposing and rendering a short clip take seconds; a 2-core machine under load is slower."""


class Uploaded(msgspec.Struct, frozen=True, kw_only=True):
    recording_id: str
    scene: SceneVideo
    data: bytes
    sha256: str


async def uploaded_scene(live: Live, folder: Path, frame_count: int = 50) -> Uploaded:
    """The street scene written, synced and uploaded by a station: verified evidence."""
    scene = await asyncio.to_thread(
        write_scene_video, folder / "street.mp4", frame_count=frame_count
    )
    data = scene.path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    station = await live.token(Role.UPLOAD_STATION)
    recording_id = await register_recording(live, station, scene.path, sha256)
    await asyncio.to_thread(upload_with_tuspy, live, station, scene.path, recording_id)
    return Uploaded(recording_id=str(recording_id), scene=scene, data=data, sha256=sha256)


async def client(live: Live, role: Role = Role.DISPATCHER) -> httpx.AsyncClient:
    token = await live.token(role)
    return httpx.AsyncClient(base_url=live.http, headers=live.headers(token), timeout=60.0)


async def job_in(
    api: httpx.AsyncClient, redaction_id: str, *states: str, timeout_s: float = JOB_TIMEOUT_S
) -> dict[str, Any]:
    """The job once it is in one of `states` (fails at once if it failed unexpectedly)."""
    seen: dict[str, Any] = {}

    async def arrived() -> bool:
        response = await api.get(f"/api/v1/redactions/{redaction_id}")
        assert response.status_code == 200, response.text
        seen.update(response.json())
        if seen["state"] == "failed" and "failed" not in states:
            raise RuntimeError(f"the redaction failed: {seen['error']}")
        return seen["state"] in states

    await eventually(arrived, timeout_s=timeout_s, interval_s=0.2)
    return seen


def manual_track(frame: int, box: tuple[int, int, int, int], span: int) -> dict[str, Any]:
    return {
        "track_id": f"manual-{uuid.uuid4().hex[:8]}",
        "kind": "manual",
        "keyframes": [[frame, list(box)]],
        "first_frame": max(0, frame - span),
        "last_frame": frame + span,
    }


def settings_for(settings: Settings, models_dir: Path) -> Settings:
    return recognition_settings(settings, models_dir)
