"""The camera registry: SQL that runs on SQLite and PostgreSQL.

Writes: cameras
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from server.auth.scope import ANYTHING, Condition, where
from server.cameras.schemas import CameraConfig, CameraIn
from server.db import Database
from server.sql import insert_returning_id, update_row

_SELECT = (
    "SELECT id, name, site_id, kind, url, enabled, face_threshold, cooldown_s, created_at "
    "FROM cameras"
)


def _to_config(row: dict[str, Any]) -> CameraConfig:
    return msgspec.convert({**row, "enabled": bool(row["enabled"])}, CameraConfig, strict=False)


async def insert(db: Database, data: CameraIn) -> int:
    return await insert_returning_id(
        db,
        "INSERT INTO cameras (name, site_id, kind, url, enabled, face_threshold, cooldown_s, "
        "created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        data.name,
        data.site_id,
        data.kind.value,
        data.url,
        data.enabled,
        data.face_threshold,
        data.cooldown_s,
        dt.datetime.now(dt.UTC),
    )


async def find(db: Database, camera_id: int) -> CameraConfig | None:
    row = await db.fetch_one(_SELECT + " WHERE id = {}", camera_id)
    return None if row is None else _to_config(row)


async def search(
    db: Database, limit: int, offset: int, within: Condition = ANYTHING
) -> list[CameraConfig]:
    """A page of cameras; `within` (on `c`) is a scoped caller's reach."""
    sql, args = where(within, _SELECT + " c")
    rows = await db.fetch(sql + " ORDER BY id LIMIT {} OFFSET {}", *args, limit, offset)
    return [_to_config(row) for row in rows]


async def pulled(db: Database) -> list[CameraConfig]:
    """Enabled cameras with a stream URL: the ones a pull worker reads."""
    rows = await db.fetch(_SELECT + " WHERE enabled = {} AND url <> '' ORDER BY id", True)
    return [_to_config(row) for row in rows]


async def count(db: Database) -> int:
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM cameras WHERE enabled = {}", True)
    return 0 if row is None else int(row["n"])


async def update(db: Database, camera_id: int, changes: dict[str, Any]) -> None:
    await update_row(db, "cameras", camera_id, changes)


async def delete(db: Database, camera_id: int) -> None:
    await db.fetch("DELETE FROM cameras WHERE id = {}", camera_id)
