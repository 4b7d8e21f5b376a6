"""A share link through the shipped process (`posbon serve`): an admin shares a verified
recording with a prosecutor, who opens the page and plays a byte range with no Posbon token;
the admin revokes it (410); a second link with an expiry a few seconds ahead answers 410 once
that moment has passed. Every use is on the recording's custody log with the viewer's address."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.client import SyncClient
from sync.mutations import RecordingCreateV1
from tests.acceptance.support import ServedPosbon
from tests.acceptance.test_crews_and_evidence import recording_facts, upload_with_tuspy
from tests.eventually import eventually

pytestmark = pytest.mark.acceptance
RECORDING_BYTES = 400_000 + 17
SHORT_EXPIRY_S = 3.0
EXPIRY_WAIT_S = 30.0


async def _verified_recording(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], folder: Path
) -> tuple[str, bytes]:
    token = served.token("upload_station")
    video = folder / "BWC0002_0001.mp4"
    data = os.urandom(RECORDING_BYTES)
    video.write_bytes(data)
    station = devices(served.http, token)
    recording_id = station.new_id()
    facts = recording_facts(video, hashlib.sha256(data).hexdigest())
    station.enqueue(RecordingCreateV1, entity_id=recording_id, facts=facts)
    await station.sync()
    await asyncio.to_thread(upload_with_tuspy, served, token, video, str(recording_id))
    return str(recording_id), data


async def _share(admin: httpx.AsyncClient, recording_id: str, expires_in_s: float) -> Any:
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in_s)
    response = await admin.post(
        "/api/v1/evidence/shares",
        json={
            "recording_id": recording_id,
            "recipient": "Samarkand city court",
            "reason": "hearing of 12 December",
            "expires_at": expires_at.isoformat(),
            "mode": "view",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_share_link_is_opened_played_revoked_and_expires(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], tmp_path: Path
) -> None:
    recording_id, data = await _verified_recording(served, devices, tmp_path)
    async with served.api(served.token("admin")) as admin:
        revocable = await _share(admin, recording_id, 86_400)
        expiring = await _share(admin, recording_id, SHORT_EXPIRY_S)
        async with httpx.AsyncClient(base_url=served.http, timeout=30) as court:
            page = await court.get(revocable["path"])
            played = await court.get(
                f"{revocable['path']}/files/{recording_id}", headers={"Range": "bytes=100-299"}
            )
            revoked = await admin.post(
                f"/api/v1/evidence/shares/{revocable['share']['id']}/revoke",
                json={"reason": "the hearing was moved; a new link follows"},
            )
            after_revoke = await court.get(revocable["path"])
            file_after_revoke = await court.get(f"{revocable['path']}/files/{recording_id}")

            async def has_expired() -> httpx.Response:
                response = await court.get(f"{expiring['path']}/files/{recording_id}")
                assert response.status_code == 410, response.text
                return response

            expired = await eventually(has_expired, timeout_s=EXPIRY_WAIT_S, interval_s=0.5)
        custody = (await admin.get(f"/api/v1/recordings/{recording_id}/custody")).json()

    assert revocable["url"] == served.http + revocable["path"]
    assert page.status_code == 200, served.explain(page.text)
    assert hashlib.sha256(data).hexdigest() in page.text
    assert (played.status_code, played.content) == (206, data[100:300])
    assert revoked.status_code == 200, revoked.text
    assert after_revoke.status_code == 410
    assert 'data-code="share_revoked"' in after_revoke.text
    assert file_after_revoke.json()["code"] == "share_revoked"
    assert expired.json()["code"] == "share_expired"
    kinds = [entry["kind"] for entry in custody]
    assert kinds[:2] == ["received", "verified"]
    assert kinds.count("shared") == 2
    assert kinds.count("share_revoked") == 1
    used = [entry["data"] for entry in custody if entry["kind"] == "share_accessed"]
    assert [(use["what"], use["outcome"]) for use in used[:4]] == [
        ("page", "served"),
        ("playback", "served"),
        ("page", "share_revoked"),
        ("file", "share_revoked"),
    ]
    assert used[-1]["outcome"] == "share_expired"
    assert {use["address"] for use in used} == {"127.0.0.1"}
