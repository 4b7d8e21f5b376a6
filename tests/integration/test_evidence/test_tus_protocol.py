"""tus 1.0 details beyond the happy path: discovery, creation-with-upload, sha1, termination,
method override, expiry, and the custody entries for links and category changes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.custody import repository as custody
from server.db import Database
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import make_video, register_recording
from tests.integration.test_server.helpers import post_alert

pytestmark = pytest.mark.integration

OCTET = {"Content-Type": "application/offset+octet-stream"}


class Upload:
    def __init__(self, client: httpx.AsyncClient, data: bytes, recording_id: str) -> None:
        self.client = client
        self.data = data
        self.recording_id = recording_id
        self.metadata = "recording_id " + base64.b64encode(recording_id.encode()).decode()


@pytest.fixture
async def upload(live: Live, tmp_path: Path) -> AsyncIterator[Upload]:
    station = await live.token(Role.UPLOAD_STATION)
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, 300_000)
    recording_id = await register_recording(live, station, video, sha256)
    headers = live.headers(station) | {"Tus-Resumable": "1.0.0"}
    async with httpx.AsyncClient(base_url=live.http, headers=headers) as client:
        yield Upload(client, video.read_bytes(), str(recording_id))


async def test_options_lists_version_extensions_size_and_checksums(upload: Upload) -> None:
    response = await upload.client.options("/uploads/")
    assert response.status_code == 204, response.text
    assert response.headers["Tus-Version"] == "1.0.0"
    assert "creation-with-upload" in response.headers["Tus-Extension"]
    assert "termination" in response.headers["Tus-Extension"]
    assert int(response.headers["Tus-Max-Size"]) > 0
    assert response.headers["Tus-Checksum-Algorithm"] == "sha256,sha1"


async def test_creation_with_upload_and_a_sha1_checked_rest(upload: Upload) -> None:
    head_bytes = upload.data[:100_000]
    created = await upload.client.post(
        "/uploads/",
        content=head_bytes,
        headers=OCTET
        | {"Upload-Length": str(len(upload.data)), "Upload-Metadata": upload.metadata},
    )
    assert created.status_code == 201
    assert created.headers["Upload-Offset"] == str(len(head_bytes))
    rest = upload.data[len(head_bytes) :]
    sha1 = base64.b64encode(hashlib.sha1(rest).digest()).decode()
    done = await upload.client.patch(
        created.headers["Location"],
        content=rest,
        headers=OCTET | {"Upload-Offset": str(len(head_bytes)), "Upload-Checksum": f"sha1 {sha1}"},
    )
    assert done.status_code == 204
    assert done.headers["Upload-Offset"] == str(len(upload.data))


async def test_termination_and_method_override(upload: Upload) -> None:
    created = await upload.client.post(
        "/uploads/",
        headers={"Upload-Length": str(len(upload.data)), "Upload-Metadata": upload.metadata},
    )
    url = created.headers["Location"]
    patched = await upload.client.post(
        url,
        content=upload.data[:1000],
        headers=OCTET | {"X-HTTP-Method-Override": "PATCH", "Upload-Offset": "0"},
    )
    assert patched.status_code == 204
    assert patched.headers["Upload-Offset"] == "1000"
    wrong = await upload.client.patch(url, content=b"abc", headers={"Upload-Offset": "1000"})
    assert wrong.status_code == 415
    unknown = await upload.client.patch(
        url,
        content=b"abc",
        headers=OCTET | {"Upload-Offset": "1000", "Upload-Checksum": "md5 AAAA"},
    )
    assert unknown.status_code == 400
    deleted = await upload.client.post(url, headers={"X-HTTP-Method-Override": "DELETE"})
    assert deleted.status_code == 204
    assert (await upload.client.head(url)).status_code == 404


async def test_an_abandoned_upload_expires_and_its_bytes_are_removed(
    live: Live, upload: Upload
) -> None:
    created = await upload.client.post(
        "/uploads/",
        headers={"Upload-Length": str(len(upload.data)), "Upload-Metadata": upload.metadata},
    )
    url = created.headers["Location"]
    await upload.client.patch(
        url, content=upload.data[:5000], headers=OCTET | {"Upload-Offset": "0"}
    )
    upload_id = url.rsplit("/", 1)[1]
    partial = live.uploads.store.partial(upload_id)
    assert partial.exists()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert await live.uploads.remove_expired(later) == 1
    assert not partial.exists()
    assert (await upload.client.head(url)).status_code == 404


async def test_linking_and_recategorising_are_custody_events(
    live: Live, db: Database, upload: Upload
) -> None:
    await upload.client.post(
        "/uploads/",
        content=upload.data,
        headers=OCTET
        | {"Upload-Length": str(len(upload.data)), "Upload-Metadata": upload.metadata},
    )
    desk = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, desk)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(desk)) as client:
        base = f"/api/v1/recordings/{upload.recording_id}"
        linked = await client.post(f"{base}/links", json={"incident_id": alert["incident_id"]})
        moved = await client.post(
            f"{base}/category", json={"category": "arrest", "reason": "suspect detained"}
        )
    assert linked.status_code == 204
    assert moved.status_code == 204
    kinds = [entry.kind.value for entry in await custody.entries(db, upload.recording_id)]
    assert kinds == ["received", "verified", "linked", "category_changed"]
