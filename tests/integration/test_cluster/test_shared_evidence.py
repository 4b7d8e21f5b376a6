"""Evidence every node reaches: a tus upload begun on node A is finished on node B, and the
verified file is played back from either node. Once on a shared directory, once in an
S3-compatible bucket (partial uploads then stay on the shared directory)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.integration.live import serve
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


class Played(NamedTuple):
    data: bytes  # what the station sent
    sha256: str
    whole_from_a: bytes
    span_from_b: bytes  # bytes SPAN_START .. SPAN_START + 99


SPAN_START = 3_000_000


async def _upload_across_two_nodes(
    settings: Settings, db: Database, tmp_path: Path, size_bytes: int, **evidence: str
) -> Played:
    node_a, node_b = (
        with_overrides(settings, data_dir=str(tmp_path / name), **evidence) for name in "ab"
    )
    video = tmp_path / "clip.mp4"
    sha256 = make_video(video, size_bytes)
    data = video.read_bytes()
    async with serve(node_a, db) as a, serve(node_b, Database(db.engine)) as b:
        station = await a.token(Role.UPLOAD_STATION)
        dispatcher = await a.token(Role.DISPATCHER)
        recording_id = await register_recording(a, station, video, sha256)
        await upload_across(a, b, station, data, tus_metadata(recording_id))
        whole = await play_back(a, dispatcher, recording_id)
        span = f"bytes={SPAN_START}-{SPAN_START + 99}"
        return Played(data, sha256, whole, await play_back(b, dispatcher, recording_id, span))


async def test_an_upload_begun_on_a_finishes_on_b_and_plays_back_from_both(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-evidence"
    played = await _upload_across_two_nodes(
        settings, db, tmp_path, 3 * 1024 * 1024 + 11, evidence_dir=str(shared)
    )
    assert played.whole_from_a == played.data
    assert played.span_from_b == played.data[SPAN_START : SPAN_START + 100]
    stored = shared / "evidence" / "sha256" / played.sha256[:2] / played.sha256
    assert stored.read_bytes() == played.data  # on the shared directory, not in a node's own


async def test_evidence_in_a_bucket_is_kept_once_and_served_by_both_nodes(
    settings: Settings, db: Database, tmp_path: Path, s3_endpoint: str
) -> None:
    bucket = client(s3_endpoint)
    bucket.make_bucket("evidence")
    staging = tmp_path / "shared-staging"
    played = await _upload_across_two_nodes(
        settings,
        db,
        tmp_path,
        20 * 1024 * 1024 + 7,  # over one 16 MiB part: a multipart upload
        evidence_dir=str(staging),
        evidence_s3_url="s3://evidence/city",
        evidence_s3_endpoint=s3_endpoint,
    )
    assert played.whole_from_a == played.data
    assert played.span_from_b == played.data[SPAN_START : SPAN_START + 100]
    key = f"city/sha256/{played.sha256[:2]}/{played.sha256}"
    kept = bucket.stat_object("evidence", key)
    assert kept.metadata is not None
    assert kept.metadata["x-amz-meta-sha256"] == played.sha256
    assert bucket.get_object("evidence", key).read() == played.data
    objects = [o.object_name for o in bucket.list_objects("evidence", recursive=True)]
    assert objects == [key]  # nothing else went to the bucket
    assert not list((staging / "uploads").iterdir())  # the partial was removed
