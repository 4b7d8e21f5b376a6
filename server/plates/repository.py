"""Plate lists and their entries: SQL that runs on SQLite and PostgreSQL.

Writes: plate_lists, plate_entries, plate_not_matches

Every change of a list or of anything under it bumps the list's `revision` and rings its
doorbell (`_changed`), first thing in its transaction: the other nodes reload the list when they
hear the ring, or when their check finds the revision moved (server.recognition.lists).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from recognition.plate_format import fold
from server.db import Database
from server.plates.index import StoredPlateList, changed_signal
from server.plates.schemas import NotMatch, PlateEntry, PlateList, PlateListKind
from server.sql import insert_returning_id, update_row

_LIST_SELECT = (
    "SELECT l.id, l.name, l.kind, l.site_id, l.created_at, "
    "(SELECT COUNT(*) FROM plate_entries e WHERE e.list_id = l.id) AS entries FROM plate_lists l"
)
_ENTRY_SELECT = "SELECT id, list_id, plate, folded, note, created_at FROM plate_entries"


def _to_list(row: dict[str, Any]) -> PlateList:
    return msgspec.convert(row, PlateList, strict=False)


def _to_entry(row: dict[str, Any]) -> PlateEntry:
    return msgspec.convert(row, PlateEntry, strict=False)


async def _changed(db: Database, list_id: int) -> None:
    """Inside the write that changes the list: bump its revision, ring after commit."""
    await db.fetch("UPDATE plate_lists SET revision = revision + 1 WHERE id = {}", list_id)
    db.touch(changed_signal(list_id))


async def insert_list(db: Database, name: str, kind: PlateListKind, site_id: int | None) -> int:
    list_id = await insert_returning_id(
        db,
        "INSERT INTO plate_lists (name, kind, site_id, created_at) VALUES ({}, {}, {}, {})",
        name,
        kind.value,
        site_id,
        dt.datetime.now(dt.UTC),
    )
    db.touch(changed_signal(list_id))  # revision 0: new to every node
    return list_id


async def update_list(db: Database, list_id: int, changes: dict[str, Any]) -> None:
    await _changed(db, list_id)
    await update_row(db, "plate_lists", list_id, changes)


async def find_list(db: Database, list_id: int) -> PlateList | None:
    row = await db.fetch_one(_LIST_SELECT + " WHERE l.id = {}", list_id)
    return None if row is None else _to_list(row)


async def find_list_by_name(db: Database, name: str) -> PlateList | None:
    row = await db.fetch_one(_LIST_SELECT + " WHERE l.name = {}", name)
    return None if row is None else _to_list(row)


async def list_lists(db: Database, limit: int, offset: int) -> list[PlateList]:
    rows = await db.fetch(_LIST_SELECT + " ORDER BY l.id LIMIT {} OFFSET {}", limit, offset)
    return [_to_list(row) for row in rows]


async def delete_list(db: Database, list_id: int) -> None:
    await _changed(db, list_id)
    await db.fetch("DELETE FROM plate_not_matches WHERE list_id = {}", list_id)
    await db.fetch("DELETE FROM plate_entries WHERE list_id = {}", list_id)
    await db.fetch("DELETE FROM plate_lists WHERE id = {}", list_id)


async def find_entry_by_plate(db: Database, list_id: int, plate: str) -> PlateEntry | None:
    row = await db.fetch_one(
        _ENTRY_SELECT + " WHERE list_id = {} AND folded = {}",
        list_id,
        fold(plate),
    )
    return None if row is None else _to_entry(row)


async def upsert_entry(
    db: Database, list_id: int, plate: str, note: str
) -> tuple[PlateEntry, bool]:
    """Add a plate; the same plate again (O/0, I/1 and spaces aside) updates its note."""
    await _changed(db, list_id)
    existing = await find_entry_by_plate(db, list_id, plate)
    if existing is not None:
        await db.fetch("UPDATE plate_entries SET note = {} WHERE id = {}", note, existing.id)
        return msgspec.structs.replace(existing, note=note), False
    entry_id = await insert_returning_id(
        db,
        "INSERT INTO plate_entries (list_id, plate, folded, note, created_at) "
        "VALUES ({}, {}, {}, {}, {})",
        list_id,
        plate.strip(),
        fold(plate),
        note,
        dt.datetime.now(dt.UTC),
    )
    row = await db.fetch_one(_ENTRY_SELECT + " WHERE id = {}", entry_id)
    assert row is not None
    return _to_entry(row), True


async def list_entries(db: Database, list_id: int, limit: int, offset: int) -> list[PlateEntry]:
    rows = await db.fetch(
        _ENTRY_SELECT + " WHERE list_id = {} ORDER BY id LIMIT {} OFFSET {}",
        list_id,
        limit,
        offset,
    )
    return [_to_entry(row) for row in rows]


async def delete_entry(db: Database, list_id: int, entry_id: int) -> bool:
    await _changed(db, list_id)
    rows = await db.fetch(
        "DELETE FROM plate_entries WHERE id = {} AND list_id = {} RETURNING id", entry_id, list_id
    )
    return bool(rows)


async def load(db: Database, list_id: int) -> StoredPlateList | None:
    """The list with its entries and not-matches (None: it is gone); the list (and its
    revision) is read first, so what is loaded is at least as new as the revision."""
    row = await db.fetch_one(
        "SELECT id, name, kind, site_id, revision FROM plate_lists WHERE id = {}", list_id
    )
    if row is None:
        return None
    plates = await db.fetch(
        "SELECT plate FROM plate_entries WHERE list_id = {} ORDER BY id", list_id
    )
    not_matches = await db.fetch(
        "SELECT listed_plate, read_text FROM plate_not_matches WHERE list_id = {}", list_id
    )
    return StoredPlateList(
        int(row["id"]),
        row["name"],
        PlateListKind(row["kind"]),
        row["site_id"],
        [p["plate"] for p in plates],
        [(n["listed_plate"], n["read_text"]) for n in not_matches],
        int(row["revision"]),
    )


async def insert_not_match(
    db: Database, list_id: int, listed_plate: str, read: str, alert_id: int, reviewer: str
) -> NotMatch:
    """Remember that ``read`` is not ``listed_plate`` of the list (both stored folded)."""
    await _changed(db, list_id)
    rows = await db.fetch(
        "INSERT INTO plate_not_matches (list_id, listed_plate, read_text, alert_id, reviewer, "
        "created_at) VALUES ({}, {}, {}, {}, {}, {}) "
        "RETURNING id, list_id, listed_plate, read_text, alert_id, reviewer, created_at",
        list_id,
        fold(listed_plate),
        fold(read),
        alert_id,
        reviewer,
        dt.datetime.now(dt.UTC),
    )
    return msgspec.convert(rows[0], NotMatch, strict=False)


async def delete_not_matches(db: Database, alert_id: int) -> list[NotMatch]:
    """Forget what the alert's verdict taught; returns what was forgotten."""
    lists = await db.fetch(
        "SELECT DISTINCT list_id FROM plate_not_matches WHERE alert_id = {}", alert_id
    )
    for row in lists:
        await _changed(db, int(row["list_id"]))
    rows = await db.fetch(
        "DELETE FROM plate_not_matches WHERE alert_id = {} "
        "RETURNING id, list_id, listed_plate, read_text, alert_id, reviewer, created_at",
        alert_id,
    )
    return [msgspec.convert(row, NotMatch, strict=False) for row in rows]


async def revision(db: Database, list_id: int) -> int | None:
    """The list's revision (None: it is gone)."""
    row = await db.fetch_one("SELECT revision FROM plate_lists WHERE id = {}", list_id)
    return None if row is None else int(row["revision"])


async def revisions(db: Database) -> dict[int, int]:
    """Every list's revision, by id: a few rows, read by every node's check."""
    rows = await db.fetch("SELECT id, revision FROM plate_lists")
    return {int(row["id"]): int(row["revision"]) for row in rows}


async def load_all(db: Database) -> list[StoredPlateList]:
    lists = await db.fetch("SELECT id FROM plate_lists ORDER BY id")
    loaded = [await load(db, int(row["id"])) for row in lists]
    return [stored for stored in loaded if stored is not None]
