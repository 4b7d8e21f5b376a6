"""Retention as stored: categories, each recording's category, expiry and deletion state, and
incidents' categories. Each deletion step is a conditional UPDATE on the row's state, so two runs
of the job (a restart, an overlap) never take the same step twice.

Writes: retention_categories, retention, incident_retention
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec

from server.custody.schemas import CustodyKind
from server.db import Database
from server.evidence.retention_schemas import Category, RetentionRow, RetentionState
from server.uploads.tus import UploadState

_ROW: Final = (
    "recording_id, sha256, category, base_at, expires_at, link_mark, state, pending_category, "
    "pending_by, pending_reason, pending_at, deleting_since, deleted_at, deleted_reason"
)
_CATEGORY: Final = "name, title, duration_s, created_at, updated_at, updated_by"


def _row(row: dict[str, Any]) -> RetentionRow:
    return msgspec.convert(row, RetentionRow, strict=False)


async def categories(db: Database) -> list[Category]:
    rows = await db.fetch(f"SELECT {_CATEGORY} FROM retention_categories ORDER BY duration_s")  # noqa: S608
    return [msgspec.convert(row, Category, strict=False) for row in rows]


async def category(db: Database, name: str) -> Category | None:
    row = await db.fetch_one(
        f"SELECT {_CATEGORY} FROM retention_categories WHERE name = {{}}",  # noqa: S608
        name,
    )
    return None if row is None else msgspec.convert(row, Category, strict=False)


async def insert_category(db: Database, found: Category) -> bool:
    """False when a category of that name exists already."""
    rows = await db.fetch(
        f"INSERT INTO retention_categories ({_CATEGORY}) "  # noqa: S608
        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (name) DO NOTHING RETURNING name",
        found.name,
        found.title,
        found.duration_s,
        found.created_at,
        found.updated_at,
        found.updated_by,
    )
    return bool(rows)


async def update_category(db: Database, found: Category) -> None:
    await db.fetch(
        "UPDATE retention_categories SET title = {}, duration_s = {}, updated_at = {}, "
        "updated_by = {} WHERE name = {}",
        found.title,
        found.duration_s,
        found.updated_at,
        found.updated_by,
        found.name,
    )


async def find(db: Database, recording_id: str, *, lock: bool = False) -> RetentionRow | None:
    suffix = db.for_update if lock else ""
    row = await db.fetch_one(
        f"SELECT {_ROW} FROM retention WHERE recording_id = {{}}{suffix}",  # noqa: S608
        recording_id,
    )
    return None if row is None else _row(row)


async def insert(db: Database, row: RetentionRow) -> bool:
    """False when the recording has its row already (another writer assigned it first)."""
    rows = await db.fetch(
        "INSERT INTO retention (recording_id, sha256, category, base_at, expires_at, "
        "link_mark, state) VALUES ({}, {}, {}, {}, {}, {}, {}) "
        "ON CONFLICT (recording_id) DO NOTHING RETURNING recording_id",
        row.recording_id,
        row.sha256,
        row.category,
        row.base_at,
        row.expires_at,
        row.link_mark,
        row.state.value,
    )
    return bool(rows)


async def set_category(
    db: Database, recording_id: str, category: str, expires_at: dt.datetime
) -> None:
    """A category in force (a pending shortening, if any, is over)."""
    await db.fetch(
        "UPDATE retention SET category = {}, expires_at = {}, pending_category = NULL, "
        "pending_by = NULL, pending_reason = NULL, pending_at = NULL WHERE recording_id = {}",
        category,
        expires_at,
        recording_id,
    )


async def set_pending(
    db: Database, recording_id: str, category: str, by: str, reason: str, at: dt.datetime
) -> None:
    await db.fetch(
        "UPDATE retention SET pending_category = {}, pending_by = {}, pending_reason = {}, "
        "pending_at = {} WHERE recording_id = {}",
        category,
        by,
        reason,
        at,
        recording_id,
    )


async def set_link_mark(db: Database, recording_id: str, mark: int) -> None:
    await db.fetch(
        "UPDATE retention SET link_mark = {} WHERE recording_id = {} AND link_mark < {}",
        mark,
        recording_id,
        mark,
    )


async def in_category(db: Database, name: str) -> list[RetentionRow]:
    rows = await db.fetch(
        f"SELECT {_ROW} FROM retention WHERE category = {{}} AND state = {{}}",  # noqa: S608
        name,
        RetentionState.KEPT.value,
    )
    return [_row(row) for row in rows]


async def in_state(db: Database, state: RetentionState) -> list[RetentionRow]:
    rows = await db.fetch(
        f"SELECT {_ROW} FROM retention WHERE state = {{}} ORDER BY expires_at",  # noqa: S608
        state.value,
    )
    return [_row(row) for row in rows]


async def due(db: Database, now: dt.datetime) -> list[RetentionRow]:
    rows = await db.fetch(
        f"SELECT {_ROW} FROM retention WHERE state = {{}} AND expires_at <= {{}} "  # noqa: S608
        "ORDER BY expires_at",
        RetentionState.KEPT.value,
        now,
    )
    return [_row(row) for row in rows]


async def claim(db: Database, recording_id: str, now: dt.datetime) -> bool:
    """kept → deleting, only for a row still kept and expired; False when another run (or a
    change of category) got there first."""
    rows = await db.fetch(
        "UPDATE retention SET state = {}, deleting_since = {} "
        "WHERE recording_id = {} AND state = {} AND expires_at <= {} RETURNING recording_id",
        RetentionState.DELETING.value,
        now,
        recording_id,
        RetentionState.KEPT.value,
        now,
    )
    return bool(rows)


async def unclaim(db: Database, recording_id: str) -> bool:
    """deleting → kept: a hold arrived between the claim and the deletion."""
    rows = await db.fetch(
        "UPDATE retention SET state = {}, deleting_since = NULL "
        "WHERE recording_id = {} AND state = {} RETURNING recording_id",
        RetentionState.KEPT.value,
        recording_id,
        RetentionState.DELETING.value,
    )
    return bool(rows)


async def mark_deleted(db: Database, recording_id: str, now: dt.datetime, reason: str) -> bool:
    """deleting → deleted; True only for the one caller that made the step."""
    rows = await db.fetch(
        "UPDATE retention SET state = {}, deleted_at = {}, deleted_reason = {} "
        "WHERE recording_id = {} AND state = {} RETURNING recording_id",
        RetentionState.DELETED.value,
        now,
        reason,
        recording_id,
        RetentionState.DELETING.value,
    )
    return bool(rows)


async def file_shared(db: Database, sha256: str, recording_id: str) -> bool:
    """Whether another recording not yet deleted has a verified file with the same hash
    (content addressing keeps one file for both)."""
    row = await db.fetch_one(
        "SELECT 1 AS shared FROM uploads u WHERE u.state = {} AND u.sha256 = {} "
        "AND u.recording_id <> {} AND NOT EXISTS (SELECT 1 FROM retention r "
        "WHERE r.recording_id = u.recording_id AND r.state = {}) LIMIT 1",
        UploadState.VERIFIED.value,
        sha256,
        recording_id,
        RetentionState.DELETED.value,
    )
    return row is not None


async def unassigned(db: Database) -> list[tuple[str, str, dt.datetime]]:
    """(recording_id, sha256, verified at) of verified recordings without retention yet, the
    latest verified upload of each."""
    rows = await db.fetch(
        "SELECT u.recording_id, u.sha256, u.finished_at FROM uploads u WHERE u.state = {} "
        "AND NOT EXISTS (SELECT 1 FROM retention r WHERE r.recording_id = u.recording_id) "
        "ORDER BY u.finished_at",
        UploadState.VERIFIED.value,
    )
    latest = {str(row["recording_id"]): (str(row["sha256"]), row["finished_at"]) for row in rows}
    return [(recording, sha256, at) for recording, (sha256, at) in latest.items()]


async def links(db: Database, recording_id: str, after: int = 0) -> list[tuple[int, int]]:
    """(custody entry id, incident id) of the recording's links to incidents after `after`."""
    rows = await db.fetch(
        "SELECT id, data FROM custody WHERE recording_id = {} AND kind = {} AND id > {} "
        "ORDER BY id",
        recording_id,
        CustodyKind.LINKED.value,
        after,
    )
    found: list[tuple[int, int]] = []
    for row in rows:
        data: Any = msgspec.json.decode(row["data"]) if isinstance(row["data"], str) else {}
        incident = data.get("incident_id") if isinstance(data, dict) else None
        if isinstance(incident, int):
            found.append((int(row["id"]), incident))
    return found


async def incident_category(db: Database, incident_id: int) -> str | None:
    row = await db.fetch_one(
        "SELECT category FROM incident_retention WHERE incident_id = {}", incident_id
    )
    return None if row is None else str(row["category"])


async def set_incident_category(
    db: Database, incident_id: int, category: str, by: str, reason: str, at: dt.datetime
) -> None:
    await db.fetch(
        "INSERT INTO incident_retention (incident_id, category, set_by, set_at, reason) "
        "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (incident_id) DO UPDATE SET "
        "category = excluded.category, set_by = excluded.set_by, set_at = excluded.set_at, "
        "reason = excluded.reason",
        incident_id,
        category,
        by,
        at,
        reason,
    )


async def latest_links(db: Database) -> dict[str, int]:
    """The id of each recording's latest `linked` custody entry."""
    rows = await db.fetch(
        "SELECT recording_id, MAX(id) AS latest FROM custody WHERE kind = {} GROUP BY recording_id",
        CustodyKind.LINKED.value,
    )
    return {str(row["recording_id"]): int(row["latest"]) for row in rows}
