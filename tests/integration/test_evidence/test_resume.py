"""The must-show of issue 5: a 200 MB recording survives interruptions and a SIGKILL."""

from __future__ import annotations

import asyncio
import random
import threading
from pathlib import Path

import httpx
import pytest
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from server.db import Database
from server.settings import Settings
from tests.eventually import eventually_blocking
from tests.integration.test_evidence.helpers import make_video, register_recording
from tests.integration.test_server.process import ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SIZE_BYTES = 200 * 1024 * 1024
CHUNK_BYTES = 8 * 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def _uploader(
    base: str, token: str, video_stream: object, recording_id: str, url: str | None
) -> object:
    client = TusClient(base + "/uploads/", headers={"Authorization": f"Bearer {token}"})
    return client.uploader(
        file_stream=video_stream,
        chunk_size=CHUNK_BYTES,
        url=url,
        metadata={"recording_id": recording_id},
    )


def _offset(base: str, token: str, url: str) -> int:
    response = httpx.head(url, headers={"Authorization": f"Bearer {token}"} | TUS)
    return int(response.headers["Upload-Offset"])


async def test_200_mb_upload_survives_interruptions_and_sigkill(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    server = ServerProcess(tmp_path / "var", settings.database_url)
    station = server.command("token", "create", "--role", "upload_station", "--name", "dock-1")
    video = tmp_path / "BWC0042_0007.mp4"
    sha256 = make_video(video, SIZE_BYTES)
    server.start()
    try:
        recording_id = str(await register_recording(server.http, station, video, sha256))
        await asyncio.to_thread(_interrupted_then_killed, server, station, video, recording_id)
        async with httpx.AsyncClient(
            base_url=server.http, headers={"Authorization": f"Bearer {station}"}
        ) as client:
            state = await client.get(f"/api/v1/recordings/{recording_id}/custody")
        assert state.status_code == 403  # a station may not read custody; a dispatcher may
        desk = server.command("token", "create", "--role", "dispatcher", "--name", "desk")
        async with httpx.AsyncClient(
            base_url=server.http, headers={"Authorization": f"Bearer {desk}"}
        ) as client:
            log = (await client.get(f"/api/v1/recordings/{recording_id}/custody")).json()
        assert [entry["kind"] for entry in log] == ["received", "verified"]
        assert log[1]["data"]["sha256"] == sha256
    finally:
        server.stop()


def _interrupted_then_killed(server: ServerProcess, token: str, video: Path, rid: str) -> None:
    rng = random.Random(20261125)
    stops = sorted(rng.sample(range(CHUNK_BYTES, SIZE_BYTES // 2), 5))
    url: str | None = None
    with video.open("rb") as stream:
        for stop_at in stops:  # five interruptions at random offsets, each resumed
            uploader = _uploader(server.http, token, stream, rid, url)
            uploader.upload(stop_at=stop_at)  # type: ignore[attr-defined]
            url = str(uploader.url)  # type: ignore[attr-defined]
            assert _offset(server.http, token, url) >= stop_at
        assert url is not None
        acknowledged = _kill_mid_upload(server, token, stream, rid, url)
        server.start()
        assert _offset(server.http, token, url) >= acknowledged
        _uploader(server.http, token, stream, rid, url).upload()  # type: ignore[attr-defined]
    assert _offset(server.http, token, url) == SIZE_BYTES


def _kill_mid_upload(server: ServerProcess, token: str, stream: object, rid: str, url: str) -> int:
    uploader = _uploader(server.http, token, stream, rid, url)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            uploader.upload()  # type: ignore[attr-defined]
        except (TusCommunicationError, TusUploadFailed, httpx.HTTPError, OSError) as err:
            failure.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    start_offset = uploader.offset  # type: ignore[attr-defined]
    eventually_blocking(
        lambda: uploader.offset >= start_offset + 2 * CHUNK_BYTES,  # type: ignore[attr-defined]
        timeout_s=60,
        interval_s=0.01,
    )
    acknowledged = int(uploader.offset)  # type: ignore[attr-defined]
    server.kill_hard()
    thread.join(60)
    assert failure, "the upload should have failed when the server died"
    return acknowledged
