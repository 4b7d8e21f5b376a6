"""Recordings uploaded for the share-link tests, and the calls a share's tests repeat."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from server.auth.schemas import Role
from sync import hlc
from sync.messages import SCHEMA_VERSION, PushRequest
from sync.mutations import RecordingUpdateV1
from sync.recordings import AccessClass, RecordingCurated
from sync.uuid7 import uuid7
from sync.wire import encode
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import (
    make_video,
    register_recording,
    upload_with_tuspy,
)
from tests.integration.test_server.helpers import post_alert

RECORDING_BYTES = 300_000 + 11


async def uploaded(live: Live, folder: Path, name: str = "clip.mp4") -> tuple[str, bytes]:
    """A recording synced and uploaded as a docking station does; its id and its bytes."""
    station = await live.token(Role.UPLOAD_STATION)
    video = folder / name
    sha256 = make_video(video, RECORDING_BYTES)
    recording_id = await register_recording(live, station, video, sha256)
    await asyncio.to_thread(upload_with_tuspy, live, station, video, recording_id)
    return str(recording_id), video.read_bytes()


async def incident_with(live: Live, token: str, recordings: list[str]) -> int:
    desk = await live.token(Role.DISPATCHER)
    incident_id = int((await post_alert(live, desk))["incident_id"])
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        for recording_id in recordings:
            linked = await client.post(
                f"/api/v1/recordings/{recording_id}/links",
                json={"incident_id": incident_id, "reason": "body-cam of the call"},
            )
            assert linked.status_code == 204, linked.text
    return incident_id


def in_days(days: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


async def create_share(live: Live, token: str, **body: Any) -> httpx.Response:
    payload = {
        "recipient": "Prosecutor A. Karimov",
        "reason": "case 12/345 for the prosecutor's office",
        "expires_at": in_days(7),
    } | body
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        return await client.post("/api/v1/evidence/shares", json=payload)


async def shared(live: Live, token: str, **body: Any) -> dict[str, Any]:
    response = await create_share(live, token, **body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def custody(live: Live, recording_id: str) -> list[dict[str, Any]]:
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        response = await client.get(f"/api/v1/recordings/{recording_id}/custody")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def accesses(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(what, outcome) of each use of a link, in order."""
    return [
        (entry["data"]["what"], entry["data"]["outcome"])
        for entry in entries
        if entry["kind"] == "share_accessed"
    ]


async def restrict(live: Live, recording_id: str) -> None:
    """Make a recording `restricted` as an admin's device does: a curated sync update."""
    now_ms = int(time.time() * 1000)
    device_id = uuid7(now_ms)
    mutation = RecordingUpdateV1(
        mutation_id=uuid7(now_ms + 1),
        client_seq=1,
        hlc=hlc.pack(now_ms + 1000, 0),
        entity_id=uuid.UUID(recording_id),
        fields=RecordingCurated(access_class=AccessClass.RESTRICTED),
    )
    request = PushRequest(
        schema_version=SCHEMA_VERSION,
        device_id=device_id,
        device_wall_ms=now_ms,
        mutations=[mutation],
    )
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        response = await client.post(
            "/sync/v1/push", content=encode(request), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied", response.text
