"""The retention job stopped mid-run (after claiming, or after removing a file but before
recording it), run again, and run twice at once: nothing is lost, nothing is deleted or logged
twice, and a file two recordings share goes only with the last of them. On SQLite and
PostgreSQL: the claims are conditional UPDATEs, which both must honour."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.db import Database
from server.evidence import retention_job
from server.evidence import retention_repository as repository
from server.evidence.retention_schemas import RetentionState
from tests.integration.live import Live
from tests.integration.test_evidence.retention_support import (
    CutsOut,
    People,
    PowerCut,
    after_a_minute,
    default_categories,
    kinds,
    minute_category,
    shorten,
    upload,
)

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
async def categories(db: Database) -> None:
    await default_categories(db)


async def _expiring(live: Live, tmp_path: Path, count: int) -> list[str]:
    people = await People.of(live)
    await minute_category(people)
    found = [await upload(live, tmp_path) for _ in range(count)]
    for recording_id in found:
        await shorten(people, recording_id)
    return found


@pytest.mark.parametrize("after_removing", [False, True], ids=["before-removal", "after-removal"])
async def test_a_run_stopped_mid_deletion_is_finished_once_by_the_next(
    live: Live, db: Database, tmp_path: Path, after_removing: bool
) -> None:
    first, second = await _expiring(live, tmp_path, 2)
    real = live.uploads.store.backend
    now = after_a_minute()

    with pytest.raises(PowerCut):
        await retention_job.run_once(db, CutsOut(real, after_removing=after_removing), now)

    stopped = {rid: await repository.find(db, rid) for rid in (first, second)}
    assert {row.state for row in stopped.values() if row} == {RetentionState.DELETING}
    assert "deleted" not in await kinds(db, first) + await kinds(db, second)
    report = await retention_job.run_once(db, real, now)
    again = await retention_job.run_once(db, real, now)

    assert (report.deleted, again.deleted, again.expired) == (2, 0, 0)
    for recording_id in (first, second):
        row = await repository.find(db, recording_id)
        assert row is not None
        assert row.state is RetentionState.DELETED
        assert (await kinds(db, recording_id)).count("deleted") == 1
        assert await real.size_of(row.sha256) is None


async def test_two_runs_at_once_delete_and_log_each_recording_once(
    live: Live, db: Database, tmp_path: Path
) -> None:
    found = await _expiring(live, tmp_path, 3)
    backend = live.uploads.store.backend
    now = after_a_minute()

    reports = await asyncio.gather(*(retention_job.run_once(db, backend, now) for _ in range(3)))

    assert sum(report.deleted for report in reports) == 3
    for recording_id in found:
        assert (await kinds(db, recording_id)).count("deleted") == 1


async def test_a_file_two_recordings_share_goes_with_the_last_of_them(
    live: Live, db: Database, tmp_path: Path
) -> None:
    people = await People.of(live)
    await minute_category(people)
    first = await upload(live, tmp_path)
    video = next(tmp_path.glob("*.mp4"))
    second = await upload(live, tmp_path, video)  # the same bytes, another recording
    await shorten(people, first)
    backend = live.uploads.store.backend
    row = await repository.find(db, first)
    assert row is not None

    report = await retention_job.run_once(db, backend, after_a_minute())

    assert (report.deleted, report.files_deleted) == (1, 0)
    assert await backend.size_of(row.sha256) is not None
    async with people.client(people.desk) as desk:
        still = await desk.get(f"/api/v1/recordings/{second}/file")
    assert still.status_code == 200
    await shorten(people, second)
    last = await retention_job.run_once(db, backend, after_a_minute())
    assert (last.deleted, last.files_deleted) == (1, 1)
    assert await backend.size_of(row.sha256) is None
