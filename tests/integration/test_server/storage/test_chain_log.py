"""The timeline and the custody log on a real database, through their one ChainLog: rows that the
two logs' earlier code wrote still verify and take new links, and two writers on PostgreSQL never
extend one chain from the same tail."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from server.chain import canonical_json
from server.custody import repository as custody
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.incidents import timeline
from tests.eventually import eventually
from tests.unit.test_server.chain_support import (
    CUSTODY,
    CUSTODY_HASHES,
    INCIDENT_ID,
    RECORDING_ID,
    TIMELINE,
    TIMELINE_HASHES,
    prev_hashes,
)

pytestmark = pytest.mark.integration


async def _store_as_before(db: Database) -> None:
    """The INSERTs the timeline and the custody log each made before they shared ChainLog."""
    async with db.write():
        for facts, prev, digest in zip(
            TIMELINE, prev_hashes(TIMELINE_HASHES), TIMELINE_HASHES, strict=True
        ):
            await db.fetch(
                "INSERT INTO timeline (incident_id, at, actor, kind, from_status, to_status, "
                "device_at, data, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                facts.incident_id,
                facts.at,
                facts.actor,
                facts.kind,
                facts.from_status,
                facts.to_status,
                facts.device_at,
                canonical_json(facts.data),
                prev,
                digest,
            )
        for record, prev, digest in zip(
            CUSTODY, prev_hashes(CUSTODY_HASHES), CUSTODY_HASHES, strict=True
        ):
            await db.fetch(
                "INSERT INTO custody (recording_id, at, actor, kind, reason, data, prev_hash, "
                "hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
                record.recording_id,
                record.at,
                record.actor,
                record.kind.value,
                record.reason,
                canonical_json(record.data),
                prev,
                digest,
            )


def _custody_facts(kind: CustodyKind) -> CustodyFacts:
    return CustodyFacts(
        recording_id=RECORDING_ID,
        at=dt.datetime.now(dt.UTC),
        actor="dispatcher:desk",
        kind=kind,
        reason=f"{kind.value} in a test",
        data={"by": "test"},
    )


async def test_a_database_written_before_still_verifies_and_grows(db: Database) -> None:
    await _store_as_before(db)
    incident = await timeline.entries(db, INCIDENT_ID)
    recording = await custody.entries(db, RECORDING_ID)
    assert [entry.hash for entry in incident] == list(TIMELINE_HASHES)
    assert [entry.hash for entry in recording] == list(CUSTODY_HASHES)
    assert [entry.data for entry in incident] == [facts.data for facts in TIMELINE]
    assert timeline.verify(INCIDENT_ID, incident).intact
    assert custody.verify(RECORDING_ID, recording).intact
    async with db.write():
        note = await timeline.append(
            db,
            timeline.EntryFacts(
                incident_id=INCIDENT_ID, at=dt.datetime.now(dt.UTC), actor="test", kind="note"
            ),
        )
        viewed = await custody.append(db, _custody_facts(CustodyKind.VIEWED))
    assert note.prev_hash == TIMELINE_HASHES[-1]
    assert viewed.prev_hash == CUSTODY_HASHES[-1]
    assert timeline.verify(INCIDENT_ID, await timeline.entries(db, INCIDENT_ID)).intact
    assert custody.verify(RECORDING_ID, await custody.entries(db, RECORDING_ID)).intact


async def test_an_entry_read_back_is_the_entry_appended(db: Database) -> None:
    async with db.write():
        appended = await custody.append(db, _custody_facts(CustodyKind.EXPORTED))
    assert await custody.entries(db, RECORDING_ID) == [appended]


async def test_an_append_outside_a_write_transaction_is_refused(db: Database) -> None:
    with pytest.raises(RuntimeError, match=r"inside db\.write"):
        await custody.append(db, _custody_facts(CustodyKind.VIEWED))
    assert await custody.entries(db, RECORDING_ID) == []


async def _someone_waits_for_a_lock(db: Database) -> bool:
    row = await db.fetch_one(
        "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND pid IN "
        "(SELECT pid FROM pg_stat_activity WHERE datname = current_database())"
    )
    return row is not None and int(row["n"]) > 0


# PostgreSQL only: on SQLite, Database.write() already makes appends take turns (one writer).
@pytest.mark.parametrize("engine_name", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_two_writers_never_extend_one_tail(db: Database) -> None:
    # A committed first link: locking the tail row (FOR UPDATE) would not keep the chain whole.
    async with db.write():
        await custody.append(db, _custody_facts(CustodyKind.RECEIVED))
    first_appended = asyncio.Event()

    async def view_meanwhile() -> None:
        await first_appended.wait()
        async with db.write():
            await custody.append(db, _custody_facts(CustodyKind.VIEWED))

    second = asyncio.create_task(view_meanwhile())
    async with db.write():
        await custody.append(db, _custody_facts(CustodyKind.VERIFIED))
        first_appended.set()

        async def second_waits_or_is_done() -> bool:
            return second.done() or await _someone_waits_for_a_lock(db)

        await eventually(second_waits_or_is_done, interval_s=0.01)
    await second
    chain = await custody.entries(db, RECORDING_ID)
    assert [entry.kind for entry in chain] == ["received", "verified", "viewed"]
    assert custody.verify(RECORDING_ID, chain).intact
