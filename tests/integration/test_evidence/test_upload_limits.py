"""An upload's lock is held only while bytes flow, and only while someone holds it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.eventually import eventually
from tests.integration.live import Live, serve
from tests.integration.test_evidence.helpers import (
    CHUNK,
    TUS,
    make_video,
    register_recording,
    tus_metadata,
)

pytestmark = pytest.mark.integration

BODY_TIMEOUT_S = 0.5
SIZE = 200_000


@pytest.fixture
async def impatient(settings: Settings, db: Database) -> AsyncIterator[Live]:
    async with serve(with_overrides(settings, upload_body_timeout_s=BODY_TIMEOUT_S), db) as live:
        yield live


async def _stall_a_patch(live: Live, token: str, path: str, data: bytes) -> asyncio.StreamWriter:
    """Send a PATCH's headers and `data`, announcing twice as many bytes, and send no more."""
    port = int(live.http.rsplit(":", 1)[1])
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Tus-Resumable: 1.0.0\r\nContent-Type: {CHUNK}\r\nUpload-Offset: 0\r\n"
        f"Content-Length: {2 * len(data)}\r\n\r\n"
    )
    writer.write(head.encode() + data)
    await writer.drain()
    return writer


async def test_a_stalled_patch_lets_go_of_the_upload_and_the_resume_completes_it(
    impatient: Live, tmp_path: Path
) -> None:
    live = impatient
    station = await live.token(Role.UPLOAD_STATION)
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, SIZE)
    recording_id = await register_recording(live, station, video, sha256)
    data = video.read_bytes()
    half = SIZE // 2
    headers = live.headers(station) | TUS
    async with httpx.AsyncClient(base_url=live.http, headers=headers, timeout=10.0) as client:
        created = await client.post(
            "/uploads/",
            headers={"Upload-Length": str(SIZE), "Upload-Metadata": tus_metadata(recording_id)},
        )
        path = httpx.URL(created.headers["Location"]).path
        stalled = await _stall_a_patch(live, station, path, data[:half])
        await eventually(lambda: len(live.uploads.locks) == 1)  # the stalled PATCH holds it
        resumed = await client.patch(
            path, content=data[half:], headers={"Content-Type": CHUNK, "Upload-Offset": str(half)}
        )
        head = await client.head(path)
    stalled.close()
    assert resumed.status_code == 204, resumed.text
    assert head.headers["Upload-Offset"] == str(SIZE)
    assert len(live.uploads.locks) == 0


async def test_requests_for_random_upload_ids_leave_no_lock_behind(live: Live) -> None:
    station = await live.token(Role.UPLOAD_STATION)
    headers = live.headers(station) | TUS
    statuses: set[int] = set()
    async with httpx.AsyncClient(base_url=live.http, headers=headers) as client:
        for _ in range(300):
            path = f"/uploads/{uuid.uuid4().hex}"
            patched = await client.patch(
                path, content=b"x", headers={"Content-Type": CHUNK, "Upload-Offset": "0"}
            )
            statuses |= {patched.status_code, (await client.head(path)).status_code}
    assert statuses == {404}
    assert len(live.uploads.locks) == 0
