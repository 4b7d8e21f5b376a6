"""Custody: the log and its exports, playback with Range where every view is logged, and
`posbon custody verify` catching an edited row or an altered file."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import (
    make_video,
    register_recording,
    upload_with_tuspy,
)

pytestmark = pytest.mark.integration


async def _uploaded(live: Live, tmp_path: Path) -> tuple[str, bytes]:
    station = await live.token(Role.UPLOAD_STATION)
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, 2 * 1024 * 1024 + 7)
    recording_id = await register_recording(live, station, video, sha256)
    await asyncio.to_thread(upload_with_tuspy, live, station, video, recording_id)
    return str(recording_id), video.read_bytes()


def _verify(settings: Settings) -> subprocess.CompletedProcess[str]:
    flags = ["--data-dir", settings.data_dir]
    if settings.database_url:
        flags += ["--database-url", settings.database_url]
    return subprocess.run(
        [sys.executable, "-m", "server", "custody", "verify", *flags],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_playback_serves_ranges_and_logs_every_view(live: Live, tmp_path: Path) -> None:
    recording_id, data = await _uploaded(live, tmp_path)
    desk = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(desk)) as client:
        whole = await client.get(f"/api/v1/recordings/{recording_id}/file")
        part = await client.get(
            f"/api/v1/recordings/{recording_id}/file", headers={"Range": "bytes=1000-1999"}
        )
        tail = await client.get(
            f"/api/v1/recordings/{recording_id}/file", headers={"Range": "bytes=-10"}
        )
        beyond = await client.get(
            f"/api/v1/recordings/{recording_id}/file", headers={"Range": f"bytes={len(data) + 5}-"}
        )
        log = (await client.get(f"/api/v1/recordings/{recording_id}/custody")).json()
        exported = await client.get(
            f"/api/v1/recordings/{recording_id}/custody/export", params={"format": "csv"}
        )
        check = (await client.get(f"/api/v1/recordings/{recording_id}/custody/verify")).json()
    assert whole.status_code == 200
    assert whole.content == data
    assert part.status_code == 206
    assert part.content == data[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert tail.content == data[-10:]
    assert beyond.status_code == 416
    assert [entry["kind"] for entry in log] == [
        "received",
        "verified",
        "viewed",
        "viewed",
        "viewed",
    ]
    assert all(entry["actor"].startswith("dispatcher:") for entry in log[2:])
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["kind"] for row in rows][-1] == "viewed"
    assert check["intact"] is True


async def test_custody_verify_detects_an_edited_row(
    live: Live, db: Database, settings: Settings, tmp_path: Path
) -> None:
    recording_id, _ = await _uploaded(live, tmp_path)
    assert _verify(settings).returncode == 0
    async with db.write():
        await db.fetch(
            "UPDATE custody SET reason = {} WHERE recording_id = {} AND kind = {}",
            "nothing to see",
            recording_id,
            "verified",
        )
    result = _verify(settings)
    assert result.returncode == 1
    assert f"recording {recording_id}: BROKEN" in result.stderr


async def test_custody_verify_detects_an_altered_file(
    live: Live, settings: Settings, tmp_path: Path
) -> None:
    recording_id, data = await _uploaded(live, tmp_path)
    stored = next((Path(settings.data_dir) / "evidence" / "sha256").rglob("*"), None)
    files = [
        path
        for path in (Path(settings.data_dir) / "evidence" / "sha256").rglob("*")
        if path.is_file()
    ]
    assert stored is not None
    assert len(files) == 1
    files[0].chmod(0o600)
    files[0].write_bytes(data[:-1] + b"X")
    result = _verify(settings)
    assert result.returncode == 1
    assert "no longer has its recorded SHA-256" in result.stderr
    assert recording_id in result.stderr
