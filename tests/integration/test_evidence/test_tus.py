"""tus 1.0 uploads with tuspy, the reference Python client, against the real server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
from pathlib import Path

import httpx
import pytest
from tusclient.client import TusClient

from server.auth.schemas import Role
from server.custody import repository as custody
from server.db import Database
from server.uploads.evidence.directory import DirectoryBackend
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import make_video, register_recording

pytestmark = pytest.mark.integration

TUS = {"Tus-Resumable": "1.0.0"}


async def test_tuspy_uploads_a_synced_recording_and_it_is_verified(
    live: Live, db: Database, tmp_path: Path
) -> None:
    station = await live.token(Role.UPLOAD_STATION)
    video = tmp_path / "BWC0042_0001.mp4"
    sha256 = make_video(video, 5 * 1024 * 1024 + 123)
    recording_id = await register_recording(live, station, video, sha256)

    def upload() -> str:
        client = TusClient(live.http + "/uploads/", headers=live.headers(station))
        with video.open("rb") as stream:
            uploader = client.uploader(
                file_stream=stream,
                chunk_size=1024 * 1024,
                metadata={"recording_id": str(recording_id)},
            )
            uploader.upload()
        return str(uploader.url)

    url = await asyncio.to_thread(upload)
    async with httpx.AsyncClient(headers=live.headers(station) | TUS) as client:
        head = await client.head(url)
    assert head.headers["Upload-Offset"] == str(video.stat().st_size)
    chain = await custody.entries(db, str(recording_id))
    assert [entry.kind.value for entry in chain] == ["received", "verified"]
    assert chain[1].data["sha256"] == sha256
    assert custody.verify(str(recording_id), chain).intact
    backend = live.uploads.store.backend
    assert isinstance(backend, DirectoryBackend)
    stored = backend.path(sha256)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha256
    assert not stored.stat().st_mode & 0o222  # read-only


async def test_interrupted_uploads_resume_and_a_corrupt_chunk_gets_460(
    live: Live, db: Database, tmp_path: Path
) -> None:
    station = await live.token(Role.UPLOAD_STATION)
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, 3 * 1024 * 1024)
    recording_id = await register_recording(live, station, video, sha256)
    data = video.read_bytes()
    headers = live.headers(station) | TUS
    metadata = "recording_id " + base64.b64encode(str(recording_id).encode()).decode()
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=live.http, headers=headers) as client:
        created = await client.post(
            "/uploads/", headers={"Upload-Length": str(len(data)), "Upload-Metadata": metadata}
        )
        assert created.status_code == 201
        url = created.headers["Location"]
        offset = 0
        while offset < len(data):
            end = min(len(data), offset + rng.randint(100_000, 900_000))
            chunk = data[offset:end]
            digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
            bad = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
            refused = await client.patch(
                url,
                content=bad,
                headers={
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                    "Upload-Checksum": f"sha256 {digest}",
                },
            )
            assert refused.status_code == 460
            assert (await client.head(url)).headers["Upload-Offset"] == str(offset)
            accepted = await client.patch(
                url,
                content=chunk,
                headers={
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                    "Upload-Checksum": f"sha256 {digest}",
                },
            )
            assert accepted.status_code == 204, accepted.text
            offset = int(accepted.headers["Upload-Offset"])
        stale = await client.patch(
            url,
            content=b"x",
            headers={"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"},
        )
    assert stale.status_code in (409, 410, 404)
    kinds = [entry.kind.value for entry in await custody.entries(db, str(recording_id))]
    assert kinds == ["received", "verified"]


async def test_an_upload_for_an_unsynced_recording_is_refused(live: Live) -> None:
    station = await live.token(Role.UPLOAD_STATION)
    metadata = "recording_id " + base64.b64encode(b"0190c1a2-0000-7000-8000-00000000dead").decode()
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(station) | TUS) as c:
        response = await c.post(
            "/uploads/", headers={"Upload-Length": "10", "Upload-Metadata": metadata}
        )
        old = await c.post("/uploads/", headers={"Tus-Resumable": "0.2.2", "Upload-Length": "10"})
    assert response.status_code == 409
    assert response.json()["code"] == "recording_not_synced"
    assert old.status_code == 412
    assert old.headers["Tus-Version"] == "1.0.0"
