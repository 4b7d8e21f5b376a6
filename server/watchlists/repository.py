"""Watchlists, their persons and enrolled embeddings: SQL that runs on SQLite and PostgreSQL.

Writes: watchlists, watchlist_persons, watchlist_photos

Every change of a watchlist or of anything under it bumps the watchlist's `revision` and rings
its doorbell (`_changed`), first thing in its transaction: the other nodes reload the list when
they hear the ring, or when their check finds the revision moved (server.recognition.lists).
Bumping first also locks the watchlist's row before its persons' and photos' rows on PostgreSQL,
the same order in every write.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import msgspec

from server.auth.scope import ANYTHING, Condition, where
from server.db import Database
from server.sql import insert_returning_id, update_row
from server.watchlists.index import StoredPhoto, StoredWatchlist, changed_signal
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


async def _changed(db: Database, watchlist_id: int) -> None:
    """Inside the write that changes the watchlist: bump its revision, ring after commit."""
    await db.fetch("UPDATE watchlists SET revision = revision + 1 WHERE id = {}", watchlist_id)
    db.touch(changed_signal(watchlist_id))


async def _person_changed(db: Database, person_id: int) -> None:
    """`_changed` for the watchlist the person is on."""
    rows = await db.fetch(
        "UPDATE watchlists SET revision = revision + 1 "
        "WHERE id = (SELECT watchlist_id FROM watchlist_persons WHERE id = {}) RETURNING id",
        person_id,
    )
    for row in rows:
        db.touch(changed_signal(int(row["id"])))


async def insert_watchlist(db: Database, name: str, description: str, threshold: float) -> int:
    watchlist_id = await insert_returning_id(
        db,
        "INSERT INTO watchlists (name, description, threshold, created_at) VALUES ({}, {}, {}, {})",
        name,
        description,
        threshold,
        dt.datetime.now(dt.UTC),
    )
    db.touch(changed_signal(watchlist_id))  # revision 0: new to every node
    return watchlist_id


async def update_watchlist(db: Database, watchlist_id: int, changes: dict[str, Any]) -> None:
    await _changed(db, watchlist_id)
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
    await _changed(db, watchlist_id)
    await db.fetch("DELETE FROM watchlist_photos WHERE watchlist_id = {}", watchlist_id)
    await db.fetch("DELETE FROM watchlist_persons WHERE watchlist_id = {}", watchlist_id)
    await db.fetch("DELETE FROM watchlists WHERE id = {}", watchlist_id)


async def insert_person(db: Database, watchlist_id: int, name: str, note: str) -> int:
    await _changed(db, watchlist_id)
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
    await _person_changed(db, person_id)
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
    await _person_changed(db, person_id)
    await db.fetch("DELETE FROM watchlist_photos WHERE person_id = {}", person_id)
    await db.fetch("DELETE FROM watchlist_persons WHERE id = {}", person_id)


async def delete_photo(db: Database, person_id: int, photo_id: int) -> None:
    await _person_changed(db, person_id)
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
    await _changed(db, photo.watchlist_id)
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


_PHOTOS_SELECT = (
    "SELECT f.watchlist_id, f.person_id, p.name, f.negative, f.embedding "
    "FROM watchlist_photos f JOIN watchlist_persons p ON p.id = f.person_id"
)


def _photos(rows: list[dict[str, Any]]) -> dict[int, list[StoredPhoto]]:
    photos: dict[int, list[StoredPhoto]] = defaultdict(list)
    for row in rows:
        photos[int(row["watchlist_id"])].append(
            StoredPhoto(
                int(row["person_id"]), row["name"], bool(row["negative"]), bytes(row["embedding"])
            )
        )
    return photos


def _stored(row: dict[str, Any], photos: list[StoredPhoto]) -> StoredWatchlist:
    return StoredWatchlist(
        int(row["id"]), row["name"], float(row["threshold"]), photos, int(row["revision"])
    )


async def load_all(db: Database) -> list[StoredWatchlist]:
    """Every watchlist with every embedding, for the in-memory index. The lists (and their
    revisions) are read before the photos: what is loaded is at least as new as the revision."""
    lists = await db.fetch("SELECT id, name, threshold, revision FROM watchlists ORDER BY id")
    photos = _photos(await db.fetch(_PHOTOS_SELECT + " ORDER BY f.id"))
    return [_stored(w, photos[int(w["id"])]) for w in lists]


async def load(db: Database, watchlist_id: int) -> StoredWatchlist | None:
    """One watchlist with its embeddings, read as `load_all` reads them (None: it is gone)."""
    row = await db.fetch_one(
        "SELECT id, name, threshold, revision FROM watchlists WHERE id = {}", watchlist_id
    )
    if row is None:
        return None
    rows = await db.fetch(_PHOTOS_SELECT + " WHERE f.watchlist_id = {} ORDER BY f.id", watchlist_id)
    return _stored(row, _photos(rows)[watchlist_id])


async def revision(db: Database, list_id: int) -> int | None:
    """The watchlist's revision (None: it is gone)."""
    row = await db.fetch_one("SELECT revision FROM watchlists WHERE id = {}", list_id)
    return None if row is None else int(row["revision"])


async def revisions(db: Database) -> dict[int, int]:
    """Every watchlist's revision, by id: a few rows, read by every node's check."""
    rows = await db.fetch("SELECT id, revision FROM watchlists")
    return {int(row["id"]): int(row["revision"]) for row in rows}
