"""An id, once handed out, is never handed out again: a token or a row that names a deleted
crew (or site, device, incident …) can never come to name a new one. SQLite needs
AUTOINCREMENT for that (migration 0010), PostgreSQL's sequences do it already."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import sqlite3
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.forwards import run_forwards

from server.db import Database, activate, make_engine, migrate, sqlite_path
from server.settings import Settings

pytestmark = pytest.mark.integration

AUTOINCREMENT = importlib.import_module("server.migrations.0010_ids_never_reused")
BEFORE = importlib.import_module("server.migrations.0008_device_crew").ID
NOW = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)


async def _add_crew(db: Database, name: str) -> int:
    async with db.write():
        row = await db.fetch_one(
            "INSERT INTO crews (name, members, district, status, status_since, created_at) "
            "VALUES ({}, '[]', '', 'available', {}, {}) RETURNING id",
            name,
            NOW,
            NOW,
        )
    assert row is not None
    return int(row["id"])


async def _delete_crew(db: Database, crew_id: int) -> None:
    async with db.write():
        await db.fetch("DELETE FROM crews WHERE id = {}", crew_id)


async def _seed(db: Database) -> dict[str, int]:
    """A site, two crews, a device of the site and the second crew, and that crew's token."""
    async with db.write():
        site = await db.fetch_one(
            "INSERT INTO sites (name, kind, address, district, created_at) "
            "VALUES ('Registan', 'other', '', 'Center', {}) RETURNING id",
            NOW,
        )
        assert site is not None
    first = await _add_crew(db, "Burgut-1")
    second = await _add_crew(db, "Burgut-2")
    async with db.write():
        await db.fetch(
            "INSERT INTO devices (account, protocol, kind, site, crew, key, key_format, "
            "encrypted, supervision_s, online, created_at) "
            "VALUES ('001001', 'osmand', 'tracker', {}, {}, '', 'hex', false, 0, true, {})",
            site["id"],
            second,
            NOW,
        )
        await db.fetch(
            "INSERT INTO tokens (name, role, crew_id, token_hash, revoked, created_at) "
            "VALUES ('tablet-2', 'crew', {}, {}, false, {})",
            second,
            "f" * 64,
            NOW,
        )
    return {"site": int(site["id"]), "first": first, "second": second}


async def _rows(db: Database) -> list[object]:
    crews = await db.fetch("SELECT id, name FROM crews ORDER BY id")
    devices = await db.fetch("SELECT account, site, crew FROM devices ORDER BY id")
    tokens = await db.fetch("SELECT name, crew_id FROM tokens ORDER BY id")
    return [crews, devices, tokens]


async def test_an_upgraded_sqlite_database_keeps_its_rows_and_never_reuses_an_id(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=str(tmp_path / "var"))
    db = activate(make_engine(settings))
    with contextlib.redirect_stdout(io.StringIO()):
        await run_forwards(app_name="server", migration_id=BEFORE)
    seeded = await _seed(db)
    before = await _rows(db)

    await migrate()

    assert await _rows(db) == before
    await _delete_crew(db, seeded["second"])
    assert await _add_crew(db, "Burgut-3") == seeded["second"] + 1
    with contextlib.closing(sqlite3.connect(sqlite_path(settings))) as raw:
        schema = dict(raw.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
        duplicate = (
            "INSERT INTO devices (account, protocol, created_at) VALUES ('001001', 'osmand', 0)"
        )
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(duplicate)  # the unique index came back with the table
    for table in AUTOINCREMENT.TABLES:
        assert "AUTOINCREMENT" in schema[table], table
    assert 'REFERENCES "sites"' in schema["devices"]
    await db.close()


async def test_a_deleted_crews_id_goes_to_no_later_crew(db: Database) -> None:
    seeded = await _seed(db)
    await _delete_crew(db, seeded["second"])
    assert await _add_crew(db, "Burgut-3") > seeded["second"]


async def test_running_the_migration_again_changes_nothing(db: Database) -> None:
    await _seed(db)
    before = await _rows(db)
    await AUTOINCREMENT.never_reuse_ids()
    assert await _rows(db) == before
