"""Storage on both engines: per-stream sequences, the hash chain, migrations, idempotency."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from server.alerts.repository import NewAlert
from server.alerts.schemas import AlertKind
from server.alerts.service import raise_alert
from server.db import Database, migrate
from server.incidents import timeline
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.sites.schemas import SiteRef
from sync.hlc import HybridClock

pytestmark = pytest.mark.integration
CLOCK = HybridClock()


def _alert(external_id: str | None = None) -> NewAlert:
    now = dt.datetime.now(dt.UTC)
    return NewAlert(
        kind=AlertKind.PANIC,
        priority=1,
        source="test",
        occurred_at=now,
        received_at=now,
        external_id=external_id,
        site=SiteRef(name="School No. 21", address="Gagarin 80", lat=39.67, lon=66.94),
    )


async def test_concurrent_writers_get_gapless_per_stream_sequences(db: Database) -> None:
    await asyncio.gather(*(raise_alert(db, CLOCK, _alert(), "test") for _ in range(30)))
    events = await outbox.read_after(db, DISPATCH_STREAM, 0, 1000)
    assert [event.seq for event in events] == list(range(1, 91))
    assert await outbox.head(db, DISPATCH_STREAM) == 90
    assert sum(event.type == "alert" for event in events) == 30


async def test_streams_are_numbered_independently(db: Database) -> None:
    async with db.write():
        first = await outbox.append(db, "crew:1", "ping", {"n": 1})
        second = await outbox.append(db, "crew:2", "ping", {"n": 1})
        third = await outbox.append(db, "crew:1", "ping", {"n": 2})
    assert (first, second, third) == (1, 1, 2)


async def test_a_failed_transaction_leaves_no_event_and_no_hole(db: Database) -> None:
    async def failing() -> None:
        async with db.write():
            await outbox.append(db, "crew:9", "ping", {})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await failing()
    async with db.write():
        seq = await outbox.append(db, "crew:9", "ping", {})
    assert seq == 1
    assert [event.seq for event in await outbox.read_after(db, "crew:9", 0, 10)] == [1]


async def test_a_repeated_external_id_creates_nothing_new(db: Database) -> None:
    first, created = await raise_alert(db, CLOCK, _alert("panel-7-seq-3"), "test")
    again, created_again = await raise_alert(db, CLOCK, _alert("panel-7-seq-3"), "test")
    assert created
    assert not created_again
    assert again.id == first.id
    assert await outbox.head(db, DISPATCH_STREAM) == 3


async def _incident_with_notes(db: Database, *texts: str) -> int:
    alert, _ = await raise_alert(db, CLOCK, _alert(), "test")
    assert alert.incident_id is not None
    async with db.write():
        for text in texts:
            await timeline.append(
                db,
                timeline.EntryFacts(
                    incident_id=alert.incident_id,
                    at=dt.datetime.now(dt.UTC),
                    actor="test",
                    kind="note",
                    data={"text": text},
                ),
            )
    return alert.incident_id


async def test_the_timeline_chain_detects_an_edited_row(db: Database) -> None:
    incident_id = await _incident_with_notes(db, "crew called", "site confirmed")
    chain = await timeline.entries(db, incident_id)
    assert timeline.verify(incident_id, chain).intact
    async with db.write():
        await db.fetch("UPDATE timeline SET actor = {} WHERE id = {}", "forger", chain[1].id)
    check = timeline.verify(incident_id, await timeline.entries(db, incident_id))
    assert not check.intact
    assert check.first_bad_entry_id == chain[1].id


async def test_the_timeline_chain_detects_a_deleted_row(db: Database) -> None:
    incident_id = await _incident_with_notes(db, "one", "two")
    chain = await timeline.entries(db, incident_id)
    async with db.write():
        await db.fetch("DELETE FROM timeline WHERE id = {}", chain[1].id)
    check = timeline.verify(incident_id, await timeline.entries(db, incident_id))
    assert check.first_bad_entry_id == chain[2].id


async def test_migrations_run_again_change_nothing(db: Database) -> None:
    await raise_alert(db, CLOCK, _alert(), "test")
    await migrate()
    assert await outbox.head(db, DISPATCH_STREAM) == 3


async def test_the_epoch_is_stable_for_one_database(db: Database) -> None:
    assert await outbox.epoch(db) == await outbox.epoch(db)
