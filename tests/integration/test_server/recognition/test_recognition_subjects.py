"""The shared cooldown's table on both engines (server.recognition.subjects): one row per
camera and subject, overwritten by the latest alert or sighting, swept past the horizon."""

from __future__ import annotations

import datetime as dt

import pytest

from server.db import Database
from server.recognition import subjects
from server.recognition.subjects import AlertRef

pytestmark = pytest.mark.integration

SEEN_AT = dt.datetime(2026, 12, 15, 8, 0, tzinfo=dt.UTC)
PLATE = "plate:3:01A123BC"


async def _find(db: Database, camera_id: int, subject: str) -> subjects.Remembered | None:
    async with db.write():
        return await subjects.find(db, camera_id, subject)


async def test_a_subject_is_remembered_per_camera_and_the_latest_write_wins(db: Database) -> None:
    async with db.write():
        await subjects.remember(db, 1, PLATE, AlertRef(10, 20, 30), SEEN_AT)
        await subjects.remember(db, 2, PLATE, AlertRef(11, 21), SEEN_AT)
    later = SEEN_AT + dt.timedelta(seconds=90)
    async with db.write():
        await subjects.remember(db, 1, PLATE, AlertRef(12, 22, 32), later)

    on_one = await _find(db, 1, PLATE)
    assert on_one is not None
    assert (on_one.ref, on_one.last_seen_at) == (AlertRef(12, 22, 32), later)
    on_two = await _find(db, 2, PLATE)
    assert on_two is not None
    assert on_two.ref == AlertRef(11, 21, None)
    assert await _find(db, 1, "face:9") is None
    rows = await db.fetch("SELECT COUNT(*) AS n FROM recognition_subjects")
    assert rows[0]["n"] == 2


async def test_the_sweep_forgets_only_the_rows_last_seen_before_its_cutoff(db: Database) -> None:
    async with db.write():
        await subjects.remember(db, 1, "face:1", AlertRef(1, 1), SEEN_AT)
        await subjects.remember(db, 1, "face:2", AlertRef(2, 2), SEEN_AT + dt.timedelta(hours=2))

    assert await subjects.sweep(db, SEEN_AT + dt.timedelta(hours=1)) == 1
    assert await _find(db, 1, "face:1") is None
    assert await _find(db, 1, "face:2") is not None


async def test_a_subject_is_looked_up_only_inside_a_write(db: Database) -> None:
    with pytest.raises(RuntimeError, match=r"inside db\.write\(\)"):
        await subjects.find(db, 1, PLATE)
