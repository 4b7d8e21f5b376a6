"""Watchlists, their persons and enrolled embeddings: SQL that runs on SQLite and PostgreSQL.

Writes: watchlists, watchlist_persons, watchlist_photos
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import msgspec

from server.auth.scope import ANYTHING, Condition, where
from server.db import Database
from server.sql import insert_returning_id, update_row
from server.watchlists.index import StoredPhoto, StoredWatchlist
from server.watchlists.schemas import Person, Watchlist, operating_point

_WATCHLIST_SELECT = (
    "SELECT w.id, w.name, w.description, w.threshold, w.created_at, "
    "(SELECT COUNT(*) FROM watchlist_persons p WHERE p.watchlist_id = w.id) AS persons, "
    "(SELECT COUNT(*) FROM watchlist_photos f WHERE f.watchlist_id = w.id AND NOT f.negative) "
    "AS photos FROM watchlists w"
)
_PERSON_SELECT = (
    "SELECT p.id, p.watchlist_id, p.name, p.note, p.created_at, "
    "(SELECT COUNT(*) FROM watchlist_photos f WHERE f.person_id = p.id AND NOT f.negative) "
    "AS photos, "
    "(SELECT COUNT(*) FROM watchlist_photos f WHERE f.person_id = p.id AND f.negative) "
    "AS negatives FROM watchlist_persons p"
)


def _to_watchlist(row: dict[str, Any]) -> Watchlist:
    rate, measured_on = operating_point(float(row["threshold"]))
    return msgspec.convert(
        {**row, "false_alarm_rate": rate, "measured_on": measured_on}, Watchlist, strict=False
    )


def _to_person(row: dict[str, Any]) -> Person:
    return msgspec.convert(row, Person, strict=False)


async def insert_watchlist(db: Database, name: str, description: str, threshold: float) -> int:
    return await insert_returning_id(
        db,
        "INSERT INTO watchlists (name, description, threshold, created_at) VALUES ({}, {}, {}, {})",
        name,
        description,
        threshold,
        dt.datetime.now(dt.UTC),
    )


async def update_watchlist(db: Database, watchlist_id: int, changes: dict[str, Any]) -> None:
    await update_row(db, "watchlists", watchlist_id, changes)


async def find_watchlist(db: Database, watchlist_id: int) -> Watchlist | None:
    row = await db.fetch_one(_WATCHLIST_SELECT + " WHERE w.id = {}", watchlist_id)
    return None if row is None else _to_watchlist(row)


async def find_watchlist_by_name(db: Database, name: str) -> Watchlist | None:
    row = await db.fetch_one(_WATCHLIST_SELECT + " WHERE w.name = {}", name)
    return None if row is None else _to_watchlist(row)


async def list_watchlists(
    db: Database, limit: int, offset: int, within: Condition = ANYTHING
) -> list[Watchlist]:
    """A page of watchlists; `within` (on `w`) is a scoped caller's reach."""
    sql, args = where(within, _WATCHLIST_SELECT)
    rows = await db.fetch(sql + " ORDER BY w.id LIMIT {} OFFSET {}", *args, limit, offset)
    return [_to_watchlist(row) for row in rows]


async def delete_watchlist(db: Database, watchlist_id: int) -> None:
    await db.fetch("DELETE FROM watchlist_photos WHERE watchlist_id = {}", watchlist_id)
    await db.fetch("DELETE FROM watchlist_persons WHERE watchlist_id = {}", watchlist_id)
    await db.fetch("DELETE FROM watchlists WHERE id = {}", watchlist_id)


async def insert_person(db: Database, watchlist_id: int, name: str, note: str) -> int:
    return await insert_returning_id(
        db,
        "INSERT INTO watchlist_persons (watchlist_id, name, note, created_at) "
        "VALUES ({}, {}, {}, {})",
        watchlist_id,
        name,
        note,
        dt.datetime.now(dt.UTC),
    )


async def update_person(db: Database, person_id: int, changes: dict[str, Any]) -> None:
    await update_row(db, "watchlist_persons", person_id, changes)


async def find_person(db: Database, watchlist_id: int, person_id: int) -> Person | None:
    row = await db.fetch_one(
        _PERSON_SELECT + " WHERE p.id = {} AND p.watchlist_id = {}", person_id, watchlist_id
    )
    return None if row is None else _to_person(row)


async def find_person_by_name(db: Database, watchlist_id: int, name: str) -> Person | None:
    row = await db.fetch_one(
        _PERSON_SELECT + " WHERE p.watchlist_id = {} AND p.name = {} ORDER BY p.id LIMIT 1",
        watchlist_id,
        name,
    )
    return None if row is None else _to_person(row)


async def list_persons(db: Database, watchlist_id: int, limit: int, offset: int) -> list[Person]:
    rows = await db.fetch(
        _PERSON_SELECT + " WHERE p.watchlist_id = {} ORDER BY p.id LIMIT {} OFFSET {}",
        watchlist_id,
        limit,
        offset,
    )
    return [_to_person(row) for row in rows]


async def delete_person(db: Database, person_id: int) -> None:
    await db.fetch("DELETE FROM watchlist_photos WHERE person_id = {}", person_id)
    await db.fetch("DELETE FROM watchlist_persons WHERE id = {}", person_id)


async def delete_photo(db: Database, person_id: int, photo_id: int) -> None:
    await db.fetch(
        "DELETE FROM watchlist_photos WHERE id = {} AND person_id = {}", photo_id, person_id
    )


class NewPhoto(msgspec.Struct, frozen=True, kw_only=True):
    person_id: int
    watchlist_id: int
    negative: bool
    embedding: bytes
    source_sha256: str
    face_width_px: float


async def find_photo(db: Database, photo: NewPhoto) -> int | None:
    row = await db.fetch_one(
        "SELECT id FROM watchlist_photos WHERE person_id = {} AND negative = {} "
        "AND source_sha256 = {}",
        photo.person_id,
        photo.negative,
        photo.source_sha256,
    )
    return None if row is None else int(row["id"])


async def insert_photo(db: Database, photo: NewPhoto) -> int:
    return await insert_returning_id(
        db,
        "INSERT INTO watchlist_photos (person_id, watchlist_id, negative, embedding, "
        "source_sha256, face_width_px, created_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
        photo.person_id,
        photo.watchlist_id,
        photo.negative,
        photo.embedding,
        photo.source_sha256,
        photo.face_width_px,
        dt.datetime.now(dt.UTC),
    )


async def load_all(db: Database) -> list[StoredWatchlist]:
    """Every watchlist with every embedding, for the in-memory index."""
    lists = await db.fetch("SELECT id, name, threshold FROM watchlists ORDER BY id")
    rows = await db.fetch(
        "SELECT f.watchlist_id, f.person_id, p.name, f.negative, f.embedding "
        "FROM watchlist_photos f JOIN watchlist_persons p ON p.id = f.person_id ORDER BY f.id"
    )
    photos: dict[int, list[StoredPhoto]] = defaultdict(list)
    for row in rows:
        photos[int(row["watchlist_id"])].append(
            StoredPhoto(
                int(row["person_id"]), row["name"], bool(row["negative"]), bytes(row["embedding"])
            )
        )
    return [
        StoredWatchlist(int(w["id"]), w["name"], float(w["threshold"]), photos[int(w["id"])])
        for w in lists
    ]
