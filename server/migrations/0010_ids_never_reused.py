"""Ids are never handed out twice: SQLite tables whose ids other rows or tokens name get
AUTOINCREMENT.

Without it SQLite gives a new row the largest id in use plus one, so deleting the newest crew
gives its id to the next crew, and the old crew's tablet token (which names the crew by id)
reads the new crew's incidents. With AUTOINCREMENT SQLite remembers the largest id ever used.
PostgreSQL's sequences never go back, so nothing changes there.

SQLite cannot add AUTOINCREMENT to a table: each one is rebuilt (the procedure of "Making Other
Kinds Of Table Schema Changes" in SQLite's ALTER TABLE page): with foreign keys off, in one
transaction, a copy is created from the table's own stored definition with AUTOINCREMENT added,
filled, swapped in, and its indexes are made again. Rows keep their ids. The rebuild runs on a
connection of its own, outside piccolo's transaction, since foreign keys can only be switched
off outside a transaction; a table that already has AUTOINCREMENT is left alone, so running it
again (after a crash before it was recorded) changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from typing import Final

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-10T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SQLite ids never reused (AUTOINCREMENT)"

TABLES: Final = (
    "sites",
    "crews",
    "tokens",
    "devices",
    "alerts",
    "incidents",
    "dispatches",
    "cameras",
    "watchlists",
    "watchlist_persons",
    "plate_lists",
)
_ID_COLUMN: Final = re.compile(r'("id"|\bid)(\s+INTEGER\s+PRIMARY\s+KEY)\b', re.IGNORECASE)
_TABLE_NAME: Final = re.compile(r'^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?("[^"]+"|\S+)', re.I)
BUSY_TIMEOUT_S: Final = 30.0


def with_autoincrement(create_sql: str, new_name: str) -> str:
    """The table's CREATE statement, renamed, with AUTOINCREMENT on its id."""
    changed, found = _ID_COLUMN.subn(r"\1\2 AUTOINCREMENT", create_sql, count=1)
    if found != 1:
        raise RuntimeError(f"no 'id INTEGER PRIMARY KEY' column in: {create_sql}")
    return _TABLE_NAME.sub(f'CREATE TABLE "{new_name}"', changed, count=1)


def _rebuild(connection: sqlite3.Connection, table: str) -> None:
    row = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if row is None or "AUTOINCREMENT" in str(row[0]).upper():
        return
    indexes = [
        str(index[0])
        for index in connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
    ]
    copy = f"{table}__autoincrement"
    connection.execute(with_autoincrement(str(row[0]), copy))
    connection.execute(f'INSERT INTO "{copy}" SELECT * FROM "{table}"')  # noqa: S608
    connection.execute(f'DROP TABLE "{table}"')
    connection.execute(f'ALTER TABLE "{copy}" RENAME TO "{table}"')
    for index in indexes:
        connection.execute(index)


def rebuild_all(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    with contextlib.closing(connection):
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN IMMEDIATE")
        try:
            for table in TABLES:
                _rebuild(connection, table)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


async def never_reuse_ids() -> None:
    engine = engine_finder()
    assert engine is not None
    if engine.engine_type != "sqlite":
        return  # PostgreSQL sequences never hand out an id twice
    path = str(engine.connection_kwargs["database"])  # type: ignore[attr-defined]
    await asyncio.to_thread(rebuild_all, path)


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="server", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(never_reuse_ids)
    return manager
