"""Retention and legal hold through the shipped process's doors: a category of one second made
over REST, moved onto two recordings by two people, one recording held; the job run over REST
deletes the other (playback then answers 410) and keeps the held one; once the hold is released,
`posbon evidence retention run` deletes it too. Every step is on the custody logs."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tusclient.client import TusClient

from sync.client import SyncClient
from sync.mutations import RecordingCreateV1
from sync.recordings import RecordingFacts
from tests.acceptance.support import ServedPosbon
from tests.eventually import eventually

pytestmark = pytest.mark.acceptance
RECORDING_BYTES = 300_000 + 7
SHORT_S = 1


def _upload(served: ServedPosbon, token: str, video: Path, recording_id: str) -> None:
    """Blocking, as tuspy is."""
    client = TusClient(served.http + "/uploads/", headers={"Authorization": f"Bearer {token}"})
    with video.open("rb") as stream:
        client.uploader(file_stream=stream, metadata={"recording_id": recording_id}).upload()


async def _recording(served: ServedPosbon, station: SyncClient, folder: Path) -> str:
    video = folder / f"BWC_{uuid.uuid4().hex[:8]}.mp4"
    data = os.urandom(RECORDING_BYTES)
    video.write_bytes(data)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    facts = RecordingFacts(
        device_id=uuid.uuid4(),
        device_serial="BWC-RETAIN-01",
        recorded_start=start,
        recorded_stop=start + dt.timedelta(seconds=60),
        duration_s=60.0,
        device_clock_time=start,
        file_name=video.name,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    recording_id = station.new_id()
    station.enqueue(RecordingCreateV1, entity_id=recording_id, facts=facts)
    await station.sync()
    token = served.token("upload_station")
    await asyncio.to_thread(_upload, served, token, video, str(recording_id))
    return str(recording_id)


async def _shorten(desk: httpx.AsyncClient, admin: httpx.AsyncClient, rid: str, name: str) -> str:
    """The dispatcher asks, the admin confirms; the new expiry."""
    path = f"/api/v1/recordings/{rid}/retention"
    asked = await desk.post(path, json={"category": name, "reason": "nothing happened"})
    assert asked.status_code == 202, asked.text
    confirmed = await admin.post(f"{path}/confirm", json={"reason": "agreed"})
    assert confirmed.status_code == 200, confirmed.text
    return str(confirmed.json()["expires_at"])


async def test_expired_evidence_goes_held_evidence_stays_until_released(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], tmp_path: Path
) -> None:
    station = devices(served.http, served.token("upload_station"))
    gone, held = [await _recording(served, station, tmp_path) for _ in range(2)]
    name = f"accept_{uuid.uuid4().hex[:8]}"
    async with (
        served.api(served.token("admin")) as admin,
        served.api(served.token("dispatcher")) as desk,
    ):
        made = await admin.post(
            "/api/v1/evidence/retention/categories", json={"name": name, "duration_s": SHORT_S}
        )
        assert made.status_code == 201, made.text
        expiries = [await _shorten(desk, admin, rid, name) for rid in (gone, held)]
        hold = await desk.post(f"/api/v1/recordings/{held}/holds", json={"reason": "court"})
        assert hold.status_code == 201, hold.text
        last = max(dt.datetime.fromisoformat(at) for at in expiries)
        await eventually(lambda: dt.datetime.now(dt.UTC) > last, timeout_s=10 * SHORT_S + 5)

        ran = await admin.post("/api/v1/evidence/retention/run")
        played = await admin.get(f"/api/v1/recordings/{gone}/file")
        kept = await admin.get(f"/api/v1/recordings/{held}/file")
        shown = (await admin.get(f"/api/v1/recordings/{gone}/retention")).json()
        assert ran.status_code == 200, ran.text
        assert (ran.json()["deleted"], played.status_code, kept.status_code) == (1, 410, 200)
        assert played.json()["code"] == "evidence_deleted"
        assert shown["deleted"]["reason"].startswith(f"retention ended: {name}")

        released = await admin.post(
            f"/api/v1/evidence/holds/{hold.json()['id']}/release", json={"reason": "ruled"}
        )
        assert released.status_code == 200, released.text
        report = await asyncio.to_thread(served.cli, "evidence", "retention", "run")
        assert "1 deleted, 1 files removed" in report, report
        after = await admin.get(f"/api/v1/recordings/{held}/file")
        logs = [
            [
                entry["kind"]
                for entry in (await admin.get(f"/api/v1/recordings/{rid}/custody")).json()
            ]
            for rid in (gone, held)
        ]
    assert after.status_code == 410
    assert logs[0][-1] == "deleted"
    steps = [kind for kind in logs[1] if kind.startswith("hold") or kind == "deleted"]
    assert steps == ["hold_placed", "hold_released", "deleted"]
    assert all(log.count("deleted") == 1 for log in logs)
