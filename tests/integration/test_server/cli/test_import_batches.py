"""CSV imports write in small batches: an alarm that arrives meanwhile is committed between two
batches, and an import stopped part-way keeps what it wrote, so running the file again
completes it."""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
from collections.abc import Callable

import pytest

from server.alerts.repository import NewAlert
from server.alerts.schemas import AlertKind
from server.alerts.service import raise_alert
from server.db import Database
from server.sites.imports import import_sites
from server.sites.schemas import SiteRef
from sync.hlc import HybridClock

pytestmark = pytest.mark.integration

SITES = 10


class StopImportError(Exception):
    """Stands for a crash or an outage in the middle of an import."""


def sites_csv(district: str = "Registan") -> str:
    rows = "".join(f"Post {n},{district},39.65,66.97\n" for n in range(1, SITES + 1))
    return "name,district,lat,lon\n" + rows


async def site_rows(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetch("SELECT name, district FROM sites ORDER BY id")
    return [(str(row["name"]), str(row["district"])) for row in rows]


def stop_after(rows: int) -> Callable[[int], None]:
    """A progress callback that fails once the import has stored `rows` rows."""
    stored = 0

    def progress(count: int) -> None:
        nonlocal stored
        stored += count
        if stored == rows:
            raise StopImportError

    return progress


async def test_an_import_stopped_part_way_keeps_its_batches_and_a_rerun_completes_it(
    db: Database,
) -> None:
    with pytest.raises(StopImportError):
        await import_sites(db, sites_csv(), batch_rows=4, progress=stop_after(SITES - 1))
    assert len(await site_rows(db)) == 8  # two whole batches; the third was rolled back

    report = await import_sites(db, sites_csv("Siyob"), batch_rows=4)
    assert (report.applied, report.imported) == (True, SITES)
    assert await site_rows(db) == [(f"Post {n}", "Siyob") for n in range(1, SITES + 1)]


async def test_batch_rows_zero_imports_all_or_nothing_in_one_transaction(db: Database) -> None:
    with pytest.raises(StopImportError):
        await import_sites(db, sites_csv(), batch_rows=0, progress=stop_after(SITES - 1))
    assert await site_rows(db) == []
    await import_sites(db, sites_csv(), batch_rows=0)
    assert len(await site_rows(db)) == SITES


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_an_alarm_arriving_during_an_import_commits_before_its_next_batch(
    db: Database,
) -> None:
    """SQLite has one writer: the alarm waits for the row being written, not for the batch
    (still less the file), and no batch starts before it."""
    stored = 0
    alarm: asyncio.Task[int] | None = None
    sites_the_alarm_saw: list[int] = []

    async def raise_panic() -> int:
        now = dt.datetime.now(dt.UTC)
        new = NewAlert(
            kind=AlertKind.PANIC,
            priority=1,
            source="dc09",
            site=SiteRef(address="Registan"),
            occurred_at=now,
            received_at=now,
        )
        async with db.write():
            counted = await db.fetch_one("SELECT count(*) AS n FROM sites")
            assert counted is not None
            sites_the_alarm_saw.append(int(counted["n"]))
            alert, _ = await raise_alert(db, HybridClock(), new, "device:001001")
        return alert.id

    def progress(count: int) -> None:
        nonlocal stored, alarm
        stored += count
        if stored == 2:  # inside the first batch of 4: the panic comes in now
            # A context of its own, as a panel's connection has: not the import's transaction.
            alarm = asyncio.create_task(raise_panic(), context=contextvars.Context())

    report = await import_sites(db, sites_csv(), batch_rows=4, progress=progress)
    assert report.imported == SITES
    assert alarm is not None
    assert await alarm > 0
    # The first batch ended at the row being written when the panic asked for the writer.
    assert sites_the_alarm_saw == [3]
