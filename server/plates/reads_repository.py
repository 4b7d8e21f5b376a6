"""The plate read log and its search audit: SQL that runs on SQLite and PostgreSQL.

Writes: plate_reads, plate_read_searches
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec

from server.auth.schemas import Principal
from server.auth.scope import ANYTHING, Condition
from server.db import Database
from server.sql import insert_many, insert_returning_id, one_of

SWEEP_BATCH_ROWS: Final = 5000
_READ_COLUMNS: Final = (
    "camera_id",
    "site_id",
    "plate",
    "display",
    "search_key",
    "confidence",
    "crop_id",
    "read_at",
)
_READ_COLUMNS_SQL: Final = (
    "r.id, r.camera_id, r.site_id, r.plate, r.display, r.search_key, r.confidence, r.crop_id, "
    "r.read_at"
)
_SEARCH_SELECT: Final = (
    "SELECT id, token_id, token_name, role, searched_at, plate, search_key, since, until, "
    "camera_id, result_limit, results FROM plate_read_searches"
)


class NewPlateRead(msgspec.Struct, frozen=True, kw_only=True):
    camera_id: int
    site_id: int | None
    plate: str
    display: str
    search_key: str
    confidence: float
    crop_id: int | None
    read_at: dt.datetime


class StoredRead(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    camera_id: int
    camera: str | None
    site_id: int | None
    plate: str
    display: str
    search_key: str
    confidence: float
    crop_id: int | None
    read_at: dt.datetime


class ReadFilter(msgspec.Struct, frozen=True, kw_only=True):
    keys: frozenset[str]
    since: dt.datetime | None
    until: dt.datetime | None
    camera_id: int | None
    limit: int
    within: Condition = ANYTHING
    """A scoped caller's reach, on `r` (server/auth/scope.py)."""


class SearchAudit(msgspec.Struct, frozen=True, kw_only=True):
    """One search of the log as its audit row keeps it."""

    id: int
    token_id: int
    token_name: str
    role: str
    searched_at: dt.datetime
    plate: str
    search_key: str
    since: dt.datetime | None
    until: dt.datetime | None
    camera_id: int | None
    result_limit: int
    results: int


async def insert_reads(db: Database, reads: list[NewPlateRead]) -> None:
    """One executemany inside the caller's write: a batch of reads, one statement."""
    rows = [tuple(getattr(read, column) for column in _READ_COLUMNS) for read in reads]
    await insert_many(db, "plate_reads", _READ_COLUMNS, rows)


async def find_reads(db: Database, where: ReadFilter) -> list[StoredRead]:
    """Reads whose search key is one of ``where.keys``, newest first."""
    condition, args = one_of(db, "r.search_key", sorted(where.keys))
    conditions = [condition]
    if where.since is not None:
        conditions.append("r.read_at >= {}")
        args.append(where.since)
    if where.until is not None:
        conditions.append("r.read_at <= {}")
        args.append(where.until)
    if where.camera_id is not None:
        conditions.append("r.camera_id = {}")
        args.append(where.camera_id)
    if where.within != ANYTHING:
        conditions.append(where.within.sql)
        args.extend(where.within.args)
    filters = " AND ".join(conditions)
    # The matching reads are found through the search key's index, then sorted. Asked for
    # "newest first, LIMIT n" in one query, PostgreSQL walks the read time's index backwards
    # and filters every read of the month (measured: 125 ms for 100,000 reads, growing with the
    # log); OFFSET 0 keeps it from merging the inner query into the outer one. SQLite uses the
    # key's index either way.
    fence = "" if db.is_sqlite else " OFFSET 0"
    sql = (
        f"SELECT r.*, c.name AS camera FROM (SELECT {_READ_COLUMNS_SQL} FROM plate_reads r "  # noqa: S608
        f"WHERE {filters}{fence}) r LEFT JOIN cameras c ON c.id = r.camera_id "
        "ORDER BY r.read_at DESC, r.id DESC LIMIT {}"
    )
    rows = await db.fetch(sql, *args, where.limit)
    return [msgspec.convert(row, StoredRead, strict=False) for row in rows]


async def insert_search(
    db: Database, who: Principal, plate: str, where: ReadFilter, key: str, results: int
) -> int:
    """The audit row of one search (inside the caller's write)."""
    return await insert_returning_id(
        db,
        "INSERT INTO plate_read_searches (token_id, token_name, role, searched_at, plate, "
        "search_key, since, until, camera_id, result_limit, results) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        who.token_id,
        who.name,
        who.role.value,
        dt.datetime.now(dt.UTC),
        plate,
        key,
        where.since,
        where.until,
        where.camera_id,
        where.limit,
        results,
    )


async def list_searches(db: Database, limit: int, offset: int) -> list[SearchAudit]:
    rows = await db.fetch(_SEARCH_SELECT + " ORDER BY id DESC LIMIT {} OFFSET {}", limit, offset)
    return [_to_search(row) for row in rows]


def _to_search(row: dict[str, Any]) -> SearchAudit:
    return msgspec.convert(row, SearchAudit, strict=False)


async def delete_older(db: Database, cutoff: dt.datetime) -> int:
    """Delete reads from before ``cutoff`` in batches of bulk work; returns how many went."""
    removed = 0
    while True:
        async with db.write(bulk=True):
            rows = await db.fetch(
                "DELETE FROM plate_reads WHERE id IN (SELECT id FROM plate_reads "
                "WHERE read_at < {} ORDER BY read_at LIMIT {}) RETURNING id",
                cutoff,
                SWEEP_BATCH_ROWS,
            )
        removed += len(rows)
        if len(rows) < SWEEP_BATCH_ROWS:
            return removed
