"""SQL for the review side of sync: scopes a caller may read, conflicts, rejections, devices."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import Any

import msgspec

from server.db import Database
from server.sql import placeholders
from server.sync.schemas import ConflictOut, ConflictStatus, DeviceOut, RejectedOut

_CONFLICT_COLUMNS = (
    "id, kind AS entity, entity_id, field, losing_value, losing_hlc, losing_device, "
    "winning_value, winning_hlc, winning_device, mutation_id, status, resolution, resolved_by, "
    "resolved_at, created_at"
)
_OUTSIDE_SCOPE = (
    "entity_id NOT IN (SELECT entity_id FROM sync_members WHERE scope = {})"  # a hidden scope
)


async def crew_incidents(db: Database, crew_id: int, closed_since: dt.datetime) -> list[int]:
    """The incidents a crew is assigned: open ones, and those closed after ``closed_since``."""
    rows = await db.fetch(
        "SELECT id FROM incidents WHERE crew_id = {} AND (closed_at IS NULL OR closed_at > {})",
        crew_id,
        closed_since,
    )
    return [int(row["id"]) for row in rows]


async def crew_district(db: Database, crew_id: int) -> str:
    """The crew's district ("" for none, or for a crew that no longer exists)."""
    row = await db.fetch_one("SELECT district FROM crews WHERE id = {}", crew_id)
    return "" if row is None else str(row["district"] or "")


async def incident_districts(db: Database, incident_ids: Collection[int]) -> dict[int, str]:
    """The district of each incident's site, for the incidents that have one."""
    ids = sorted(incident_ids)
    if not ids:
        return {}
    rows = await db.fetch(
        "SELECT i.id, s.district FROM incidents i JOIN sites s ON s.id = i.site_id "  # noqa: S608
        f"WHERE i.id IN ({placeholders(len(ids))})",
        *ids,
    )
    return {int(row["id"]): str(row["district"]) for row in rows if row["district"]}


async def devices_of(db: Database, owner: str) -> list[uuid.UUID]:
    """The sync devices that belong to one owner (`token:<id>` or `crew:<id>`)."""
    rows = await db.fetch("SELECT device_id FROM sync_devices WHERE owner = {}", owner)
    return [uuid.UUID(str(row["device_id"])) for row in rows]


async def every_scope(db: Database) -> list[str]:
    """Every scope that has a change log."""
    return [str(row["scope"]) for row in await db.fetch("SELECT scope FROM sync_scopes")]


def _conflict(row: dict[str, Any]) -> ConflictOut:
    values = {
        **row,
        "losing_value": msgspec.json.decode(row["losing_value"]),
        "winning_value": msgspec.json.decode(row["winning_value"]),
    }
    return msgspec.convert(values, ConflictOut, strict=False)


async def conflicts(
    db: Database,
    status: ConflictStatus | None,
    limit: int,
    offset: int,
    *,
    hidden_scope: str | None = None,
) -> list[ConflictOut]:
    """Conflicts by id; those on entities in `hidden_scope` (one the caller may not read) are
    left out."""
    conditions: list[str] = []
    args: list[Any] = []
    if status is not None:
        conditions.append("status = {}")
        args.append(status.value)
    if hidden_scope is not None:
        conditions.append(_OUTSIDE_SCOPE)
        args.append(hidden_scope)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = await db.fetch(
        f"SELECT {_CONFLICT_COLUMNS} FROM sync_conflicts{where} "  # noqa: S608
        "ORDER BY id LIMIT {} OFFSET {}",
        *args,
        limit,
        offset,
    )
    return [_conflict(row) for row in rows]


async def in_scope(db: Database, scope: str, entity_id: uuid.UUID) -> bool:
    """Whether the entity is a member of the scope."""
    row = await db.fetch_one(
        "SELECT 1 AS member FROM sync_members WHERE scope = {} AND entity_id = {}",
        scope,
        str(entity_id),
    )
    return row is not None


async def find_conflict(db: Database, conflict_id: int) -> ConflictOut | None:
    row = await db.fetch_one(
        f"SELECT {_CONFLICT_COLUMNS} FROM sync_conflicts WHERE id = {{}}{db.for_update}",  # noqa: S608
        conflict_id,
    )
    return None if row is None else _conflict(row)


async def rejected(db: Database, limit: int, offset: int) -> list[RejectedOut]:
    rows = await db.fetch(
        "SELECT r.device_id, d.owner, r.client_seq, r.mutation_id, r.code, r.reason, "
        "r.created_at FROM sync_results r JOIN sync_devices d ON d.device_id = r.device_id "
        "WHERE r.status = 'rejected' ORDER BY r.created_at DESC, r.device_id, r.client_seq "
        "LIMIT {} OFFSET {}",
        limit,
        offset,
    )
    return [msgspec.convert(row, RejectedOut, strict=False) for row in rows]


async def devices(db: Database, limit: int, offset: int) -> list[DeviceOut]:
    rows = await db.fetch(
        "SELECT device_id, owner, last_seq, schema_version, clock_offset_ms, first_seen_at, "
        "last_seen_at FROM sync_devices ORDER BY last_seen_at DESC, device_id "
        "LIMIT {} OFFSET {}",
        limit,
        offset,
    )
    return [msgspec.convert(row, DeviceOut, strict=False) for row in rows]
