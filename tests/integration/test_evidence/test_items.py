"""Incident membership of recordings, read from the `linked` entries of their custody logs."""

from __future__ import annotations

import datetime as dt

import pytest

from server.custody import repository
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.evidence.items import incidents_of_recording, recordings_of_incident

pytestmark = pytest.mark.integration


async def _entry(
    db: Database, recording_id: str, kind: CustodyKind, data: dict[str, object]
) -> None:
    facts = CustodyFacts(
        recording_id=recording_id,
        at=dt.datetime.now(dt.UTC),
        actor="test",
        kind=kind,
        reason="test",
        data=data,
    )
    async with db.write():
        await repository.append(db, facts)


async def test_links_are_read_in_order_each_once_and_other_entries_ignored(db: Database) -> None:
    await _entry(db, "rec-b", CustodyKind.RECEIVED, {"incident_id": 7})  # not a link
    await _entry(db, "rec-b", CustodyKind.LINKED, {"incident_id": 7})
    await _entry(db, "rec-a", CustodyKind.LINKED, {"incident_id": 7})
    await _entry(db, "rec-a", CustodyKind.LINKED, {"incident_id": 9})
    await _entry(db, "rec-b", CustodyKind.LINKED, {"incident_id": 7})  # linked twice
    await _entry(db, "rec-c", CustodyKind.LINKED, {"note": "no incident"})

    assert await recordings_of_incident(db, 7) == ["rec-b", "rec-a"]
    assert await recordings_of_incident(db, 9) == ["rec-a"]
    assert await recordings_of_incident(db, 8) == []
    assert await incidents_of_recording(db, "rec-a") == [7, 9]
    assert await incidents_of_recording(db, "rec-b") == [7]
    assert await incidents_of_recording(db, "rec-c") == []
