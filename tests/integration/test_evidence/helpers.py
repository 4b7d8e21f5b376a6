"""Register a recording the way a docking station does: push its metadata through sync first."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from sync import hlc
from sync.messages import SCHEMA_VERSION, PushRequest
from sync.mutations import RecordingCreateV1
from sync.recordings import RecordingFacts
from sync.uuid7 import uuid7
from sync.wire import encode
from tests.integration.live import Live


def make_video(path: Path, size_bytes: int) -> str:
    """A file of pseudo-random bytes standing in for a recording; returns its SHA-256."""
    digest = hashlib.sha256()
    block = os.urandom(1024 * 1024)
    with path.open("wb") as handle:
        remaining = size_bytes
        while remaining:
            piece = block[: min(len(block), remaining)]
            handle.write(piece)
            digest.update(piece)
            remaining -= len(piece)
    return digest.hexdigest()


async def register_recording(live: Live | str, token: str, path: Path, sha256: str) -> uuid.UUID:
    """`live` is the running test server or a base URL."""
    base = live if isinstance(live, str) else live.http
    now_ms = int(time.time() * 1000)
    device_id = uuid7(now_ms)
    recording_id = uuid7(now_ms + 1)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    facts = RecordingFacts(
        device_id=device_id,
        device_serial="BWC-0042",
        recorded_start=start,
        recorded_stop=start + dt.timedelta(minutes=4),
        duration_s=240.0,
        device_clock_time=start,
        file_name=path.name,
        size_bytes=path.stat().st_size,
        sha256=sha256,
    )
    mutation = RecordingCreateV1(
        mutation_id=uuid7(now_ms + 2),
        client_seq=1,
        hlc=hlc.pack(now_ms, 0),
        entity_id=recording_id,
        facts=facts,
    )
    body = encode(
        PushRequest(
            schema_version=SCHEMA_VERSION,
            device_id=device_id,
            device_wall_ms=now_ms,
            mutations=[mutation],
        )
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers) as client:
        response = await client.post(
            "/sync/v1/push", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied", response.text
    return recording_id


def upload_with_tuspy(live: Live | str, token: str, video: Path, recording_id: uuid.UUID) -> str:
    """Blocking: run it in a thread. Returns the upload URL."""
    from tusclient.client import TusClient  # noqa: PLC0415

    base = live if isinstance(live, str) else live.http
    client = TusClient(base + "/uploads/", headers={"Authorization": f"Bearer {token}"})
    with video.open("rb") as stream:
        uploader = client.uploader(
            file_stream=stream, chunk_size=1024 * 1024, metadata={"recording_id": str(recording_id)}
        )
        uploader.upload()
    return str(uploader.url)


TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = "application/offset+octet-stream"


def tus_metadata(recording_id: uuid.UUID) -> str:
    return "recording_id " + base64.b64encode(str(recording_id).encode()).decode()


async def upload_across(first: Live, second: Live, token: str, data: bytes, metadata: str) -> str:
    """Create an upload on `first`, send half the bytes there and the rest to `second`.

    Returns the upload's path; both PATCH answers must be 204."""
    headers = first.headers(token) | TUS
    half = len(data) // 2
    async with httpx.AsyncClient(base_url=first.http, headers=headers) as on_first:
        created = await on_first.post(
            "/uploads/", headers={"Upload-Length": str(len(data)), "Upload-Metadata": metadata}
        )
        assert created.status_code == 201, created.text
        path = urlsplit(created.headers["Location"]).path
        sent = await on_first.patch(
            path, content=data[:half], headers={"Content-Type": CHUNK, "Upload-Offset": "0"}
        )
        assert sent.status_code == 204, sent.text
    async with httpx.AsyncClient(base_url=second.http, headers=headers) as on_second:
        assert (await on_second.head(path)).headers["Upload-Offset"] == str(half)
        rest = await on_second.patch(
            path, content=data[half:], headers={"Content-Type": CHUNK, "Upload-Offset": str(half)}
        )
        assert rest.status_code == 204, rest.text
    return path


async def play_back(node: Live, token: str, recording_id: uuid.UUID, span: str = "") -> bytes:
    """The evidence as `node` serves it (a `bytes=a-b` span asks for a 206)."""
    headers = node.headers(token) | ({"Range": span} if span else {})
    async with httpx.AsyncClient(base_url=node.http, headers=headers) as client:
        response = await client.get(f"/api/v1/recordings/{recording_id}/file")
    assert response.status_code == (206 if span else 200), response.text
    return response.content
