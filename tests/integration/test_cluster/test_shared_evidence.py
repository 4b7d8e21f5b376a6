"""Evidence every node reaches: a tus upload begun on node A is finished on node B, and the
verified file is played back from either node. Once on a shared directory, once in an
S3-compatible bucket (partial uploads then stay on the shared directory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.conftest import serve
from tests.integration.test_evidence.helpers import (
    make_video,
    play_back,
    register_recording,
    tus_metadata,
    upload_across,
)
from tests.integration.test_evidence.s3_server import client

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


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
    async with serve(node_a, db) as a, serve(node_b, Database(db.engine)) as b:
        station = await a.token(Role.upload_station)
        dispatcher = await a.token(Role.dispatcher)
        recording_id = await register_recording(a, station, video, sha256)
        await upload_across(a, b, station, data, tus_metadata(recording_id))
        played = [await play_back(node, dispatcher, recording_id) for node in (a, b)]
    assert played == [data, data]
    stored = Path(shared) / "evidence" / "sha256" / sha256[:2] / sha256
    assert stored.read_bytes() == data  # on the shared directory, not in a node's own data


async def test_evidence_in_a_bucket_is_kept_once_and_served_by_both_nodes(
    settings: Settings, db: Database, tmp_path: Path, s3_endpoint: str
) -> None:
    bucket = client(s3_endpoint)
    bucket.make_bucket("evidence")
    staging = str(tmp_path / "shared-staging")
    in_bucket = {"evidence_s3_url": "s3://evidence/city", "evidence_s3_endpoint": s3_endpoint}
    node_a = with_overrides(
        settings, data_dir=str(tmp_path / "a"), evidence_dir=staging, **in_bucket
    )
    node_b = with_overrides(
        settings, data_dir=str(tmp_path / "b"), evidence_dir=staging, **in_bucket
    )
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, 20 * 1024 * 1024 + 7)  # over one 16 MiB part: a multipart upload
    data = video.read_bytes()
    async with serve(node_a, db) as a, serve(node_b, Database(db.engine)) as b:
        station = await a.token(Role.upload_station)
        dispatcher = await a.token(Role.dispatcher)
        recording_id = await register_recording(a, station, video, sha256)
        await upload_across(a, b, station, data, tus_metadata(recording_id))
        whole = await play_back(a, dispatcher, recording_id)
        span = await play_back(b, dispatcher, recording_id, "bytes=17000000-17000099")
        checks = await a.state.uploads.store.backend.sha256_of(sha256)
    assert whole == data
    assert span == data[17_000_000:17_000_100]
    assert checks == sha256
    key = f"city/sha256/{sha256[:2]}/{sha256}"
    kept = bucket.stat_object("evidence", key)
    assert kept.size == len(data)
    assert kept.metadata is not None
    assert kept.metadata["x-amz-meta-sha256"] == sha256
    objects = [o.object_name for o in bucket.list_objects("evidence", recursive=True)]
    assert objects == [key]  # nothing else went to the bucket
    assert not list((Path(staging) / "uploads").iterdir())  # the partial was removed
