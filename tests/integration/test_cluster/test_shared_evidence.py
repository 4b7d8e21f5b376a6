"""Evidence on a directory every node reaches: a tus upload begun on node A is finished on node
B, and the verified file is played back from either node."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.conftest import serve
from tests.integration.test_evidence.helpers import make_video, register_recording

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = "application/offset+octet-stream"


@pytest.fixture
def engine_name() -> str:
    return "postgres"


async def test_an_upload_begun_on_a_finishes_on_b_and_plays_back_from_both(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    shared = str(tmp_path / "shared-evidence")
    node_a = with_overrides(settings, data_dir=str(tmp_path / "a"), evidence_dir=shared)
    node_b = with_overrides(settings, data_dir=str(tmp_path / "b"), evidence_dir=shared)
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, 3 * 1024 * 1024 + 11)
    data = video.read_bytes()
    half = len(data) // 2
    async with serve(node_a, db) as a, serve(node_b, Database(db.engine)) as b:
        station = await a.token(Role.upload_station)
        dispatcher = await a.token(Role.dispatcher)
        recording_id = await register_recording(a, station, video, sha256)
        metadata = "recording_id " + base64.b64encode(str(recording_id).encode()).decode()
        headers = a.headers(station) | TUS
        async with httpx.AsyncClient(base_url=a.http, headers=headers) as on_a:
            created = await on_a.post(
                "/uploads/", headers={"Upload-Length": str(len(data)), "Upload-Metadata": metadata}
            )
            assert created.status_code == 201, created.text
            path = urlsplit(created.headers["Location"]).path
            first = await on_a.patch(
                path, content=data[:half], headers={"Content-Type": CHUNK, "Upload-Offset": "0"}
            )
            assert first.status_code == 204, first.text
        async with httpx.AsyncClient(base_url=b.http, headers=headers) as on_b:
            assert (await on_b.head(path)).headers["Upload-Offset"] == str(half)
            rest = await on_b.patch(
                path,
                content=data[half:],
                headers={"Content-Type": CHUNK, "Upload-Offset": str(half)},
            )
            assert rest.status_code == 204, rest.text
        played = {}
        for node in (a, b):
            async with httpx.AsyncClient(base_url=node.http, headers=a.headers(dispatcher)) as c:
                response = await c.get(f"/api/v1/recordings/{recording_id}/file")
                assert response.status_code == 200, response.text
                played[node.http] = response.content
    assert list(played.values()) == [data, data]
    stored = Path(shared) / "evidence" / "sha256" / sha256[:2] / sha256
    assert stored.read_bytes() == data  # on the shared directory, not in a node's own data
