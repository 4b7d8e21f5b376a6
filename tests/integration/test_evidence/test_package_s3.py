"""A court package of evidence kept in an S3-compatible bucket: the files stream from the
bucket into the package, which verifies offline."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.evidence.package_verify import verify_package
from server.evidence.signing import signing_key
from server.settings import Settings, with_overrides
from tests.integration.live import serve
from tests.integration.test_evidence.helpers import (
    make_video,
    register_recording,
    upload_with_tuspy,
)
from tests.integration.test_evidence.s3_server import client
from tests.integration.test_server.helpers import post_alert

pytestmark = pytest.mark.integration


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def test_a_package_of_evidence_in_a_bucket_verifies(
    settings: Settings, db: Database, tmp_path: Path, s3_endpoint: str
) -> None:
    client(s3_endpoint).make_bucket("evidence")
    in_bucket = with_overrides(
        settings, evidence_s3_url="s3://evidence", evidence_s3_endpoint=s3_endpoint
    )
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, 3 * 1024 * 1024 + 11)
    async with serve(in_bucket, db) as live:
        station = await live.token(Role.UPLOAD_STATION)
        admin = await live.token(Role.ADMIN)
        recording_id = await register_recording(live, station, video, sha256)
        await asyncio.to_thread(upload_with_tuspy, live, station, video, recording_id)
        desk = await live.token(Role.DISPATCHER)
        incident_id = int((await post_alert(live, desk))["incident_id"])
        async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as api:
            linked = await api.post(
                f"/api/v1/recordings/{recording_id}/links", json={"incident_id": incident_id}
            )
            assert linked.status_code == 204, linked.text
            response = await api.get(
                f"/api/v1/incidents/{incident_id}/evidence-package", timeout=120
            )
    assert response.status_code == 200, response.text
    package = tmp_path / "package.zip"
    package.write_bytes(response.content)

    check = verify_package(package, signing_key(in_bucket).public_pem)

    assert check.problems == []
    assert not list((settings.evidence_path / "evidence").rglob(sha256))  # only in the bucket
    with zipfile.ZipFile(package) as opened:
        assert opened.read(f"items/{recording_id}/original.mp4") == video.read_bytes()
