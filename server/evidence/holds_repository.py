"""Legal holds as stored: on one recording, or on an incident (covering every recording linked
to it, now or later). A hold is released, never deleted, so the list is the whole history.

Writes: legal_holds
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import msgspec

from server.db import Database
from server.evidence.retention_schemas import Hold

_COLUMNS: Final = (
    "id, recording_id, incident_id, reason, placed_by, placed_at, released_by, "
    "released_reason, released_at"
)


async def insert(
    db: Database,
    recording_id: str | None,
    incident_id: int | None,
    reason: str,
    by: str,
    at: dt.datetime,
) -> Hold:
    rows = await db.fetch(
        "INSERT INTO legal_holds (recording_id, incident_id, reason, placed_by, placed_at) "  # noqa: S608
        f"VALUES ({{}}, {{}}, {{}}, {{}}, {{}}) RETURNING {_COLUMNS}",
        recording_id,
        incident_id,
        reason,
        by,
        at,
    )
    return msgspec.convert(rows[0], Hold, strict=False)


async def find(db: Database, hold_id: int) -> Hold | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM legal_holds WHERE id = {{}}",  # noqa: S608
        hold_id,
    )
    return None if row is None else msgspec.convert(row, Hold, strict=False)


async def release(db: Database, hold_id: int, by: str, reason: str, at: dt.datetime) -> bool:
    """False when the hold was released already (a retry, or someone else first)."""
    rows = await db.fetch(
        "UPDATE legal_holds SET released_by = {}, released_reason = {}, released_at = {} "
        "WHERE id = {} AND released_at IS NULL RETURNING id",
        by,
        reason,
        at,
        hold_id,
    )
    return bool(rows)


async def covering(
    db: Database, recording_id: str, incident_ids: Sequence[int], *, active_only: bool = True
) -> list[Hold]:
    """The holds on the recording itself or on any of its incidents."""
    slots = ", ".join("{}" for _ in incident_ids) or "NULL"
    active = " AND released_at IS NULL" if active_only else ""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM legal_holds "  # noqa: S608  (our own columns and slots)
        f"WHERE (recording_id = {{}} OR incident_id IN ({slots})){active} ORDER BY id",
        recording_id,
        *incident_ids,
    )
    return [msgspec.convert(row, Hold, strict=False) for row in rows]


async def listing(db: Database, *, active_only: bool) -> list[Hold]:
    where = " WHERE released_at IS NULL" if active_only else ""
    rows = await db.fetch(f"SELECT {_COLUMNS} FROM legal_holds{where} ORDER BY id")  # noqa: S608
    return [msgspec.convert(row, Hold, strict=False) for row in rows]
