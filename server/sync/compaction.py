"""Change-log compaction: the log keeps what a device offline for up to the retention window needs.

Theory of operation. A scope's change log exists so that a device can catch up from its cursor.
Every change is also folded into its entity's stored row, which `/sync/v1/snapshot` serves, so
once a change is older than the retention window (``sync_log_retention_s``, set it to at least the
longest time a tablet stays offline) the stored row supersedes it. Compaction deletes those
changes and raises the scope's horizon past them. A device whose cursor is below the horizon
gets its scope in ``reset`` on the next pull (offline-sync.md §7.5) and fetches the snapshot,
keeping its pending edits; a device whose cursor is at or above it pulls as before.

The log carries no timestamps (the push path stays as lean as its budget needs). Instead each
run records every scope's head as a *mark* with the time; a scope's cut is the head of its
newest mark older than the window. A change is thus kept for the window at least, and at most
one run interval longer.

A scope's horizon is raised first, in its own transaction; its old changes are then deleted
DELETE_BATCH at a time, each batch a bulk write (`Database.write(bulk=True)`), because on
SQLite one transaction deleting a year of a busy scope's log would hold the only writer, and
every alarm commit, for as long as it runs. Nothing reads below a horizon (a pull behind it
gets ``reset``), so changes that wait there to be deleted are invisible; a run cut short leaves
them, and the scope's mark, for the next run to finish. A pull on PostgreSQL reads with READ
COMMITTED, so it may read the old horizon and then the shortened log; the pull service reads the
horizons again after the page and answers anew if one moved (`horizons_moved`).

Writes: sync_marks
Besides, below a horizon it raised, it deletes changes and raises horizons in the tables whose
writer is server/sync/repository.py (sync_changes, sync_scopes): the one exception to one
writer per table, named in tests/unit/test_server/test_table_writers.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Collection, Mapping
from typing import Final

import msgspec

from server.db import Database
from server.sql import placeholders

logger = logging.getLogger(__name__)

DELETE_BATCH: Final = 500
"""Changes deleted per transaction (a few milliseconds of SQLite's one writer)."""


class ScopeCut(msgspec.Struct, frozen=True):
    """One scope's compaction: changes up to ``cut`` removed, the horizon now ``cut + 1``."""

    scope: str
    cut: int
    removed: int


class CompactionSummary(msgspec.Struct, frozen=True):
    """What a compaction run did."""

    changes_before: int
    changes_after: int
    scopes_marked: int
    cuts: list[ScopeCut]

    @property
    def removed(self) -> int:
        return self.changes_before - self.changes_after

    def describe(self) -> str:
        """One line for the log and the CLI."""
        return (
            f"removed {self.removed} of {self.changes_before} changes in {len(self.cuts)} "
            f"scopes ({self.changes_after} kept); marked {self.scopes_marked} scope heads"
        )


async def _count_changes(db: Database) -> int:
    row = await db.fetch_one("SELECT count(*) AS n FROM sync_changes")
    return 0 if row is None else int(row["n"])


async def _mark_heads(db: Database, now: dt.datetime) -> int:
    """Record the head of every scope that moved since its last mark (or its horizon)."""
    async with db.write(bulk=True):
        rows = await db.fetch(
            "INSERT INTO sync_marks (scope, head, marked_at) "
            "SELECT s.scope, s.head, {} FROM sync_scopes s WHERE s.head >= s.horizon "
            "AND s.head > COALESCE((SELECT max(m.head) FROM sync_marks m "
            "WHERE m.scope = s.scope), 0) RETURNING scope",
            now,
        )
    return len(rows)


async def _due_cuts(db: Database, cutoff: dt.datetime) -> dict[str, int]:
    """Per scope, the head of its newest mark made at or before ``cutoff``."""
    rows = await db.fetch(
        "SELECT scope, max(head) AS cut FROM sync_marks WHERE marked_at <= {} GROUP BY scope",
        cutoff,
    )
    return {str(row["scope"]): int(row["cut"]) for row in rows}


async def _cut_scope(db: Database, scope: str, cut: int) -> ScopeCut | None:
    async with db.write(bulk=True):
        # The horizon row first: its lock orders this against pushes to the scope.
        raised = await db.fetch(
            "UPDATE sync_scopes SET horizon = {} WHERE scope = {} AND horizon <= {} "
            "RETURNING scope",
            cut + 1,
            scope,
            cut,
        )
    removed = await _delete_below(db, scope, cut)
    async with db.write(bulk=True):
        await db.fetch("DELETE FROM sync_marks WHERE scope = {} AND head <= {}", scope, cut)
    if not raised:
        return None
    return ScopeCut(scope, cut, removed)


async def _delete_below(db: Database, scope: str, cut: int) -> int:
    """Delete the scope's changes up to ``cut``, a range of DELETE_BATCH sequence numbers from
    the lowest left at a time (a scope's log is dense in ``seq``, so a range is about a batch)."""
    removed = 0
    while (low := await _lowest_seq(db, scope)) is not None and low <= cut:
        async with db.write(bulk=True):
            deleted = await db.fetch(
                "DELETE FROM sync_changes WHERE scope = {} AND seq >= {} AND seq <= {} "
                "RETURNING seq",
                scope,
                low,
                min(low + DELETE_BATCH - 1, cut),
            )
        removed += len(deleted)
    return removed


async def _lowest_seq(db: Database, scope: str) -> int | None:
    row = await db.fetch_one("SELECT min(seq) AS low FROM sync_changes WHERE scope = {}", scope)
    return None if row is None or row["low"] is None else int(row["low"])


async def compact(
    db: Database, retention_s: float, now: dt.datetime | None = None
) -> CompactionSummary:
    """Mark every scope's head, then remove the changes older than the retention window."""
    now = now or dt.datetime.now(dt.UTC)
    before = await _count_changes(db)
    marked = await _mark_heads(db, now)
    cuts: list[ScopeCut] = []
    for scope, cut in sorted(
        (await _due_cuts(db, now - dt.timedelta(seconds=retention_s))).items()
    ):
        done = await _cut_scope(db, scope, cut)
        if done is not None:
            cuts.append(done)
    return CompactionSummary(before, await _count_changes(db), marked, cuts)


async def compact_forever(db: Database, retention_s: float, interval_s: float) -> None:
    """The periodic job: one run at start-up, then one every ``interval_s``."""
    while True:
        try:
            summary = await compact(db, retention_s)
        except Exception:  # a failed run is retried at the next interval
            logger.exception("sync change-log compaction failed")
        else:
            if summary.cuts:
                logger.info("sync change-log compaction: %s", summary.describe())
        await asyncio.sleep(interval_s)


async def horizons_moved(db: Database, cursors: Mapping[str, int], served: Collection[str]) -> bool:
    """Whether a scope served from ``cursors`` now has a horizon past its cursor."""
    names = sorted(set(served) & cursors.keys())
    if not names:
        return False
    rows = await db.fetch(
        f"SELECT scope, horizon FROM sync_scopes WHERE scope IN ({placeholders(len(names))})",  # noqa: S608
        *names,
    )
    return any(cursors[str(row["scope"])] < int(row["horizon"]) - 1 for row in rows)
