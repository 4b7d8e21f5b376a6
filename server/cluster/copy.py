"""`posbon db copy`: move an embedded SQLite deployment to PostgreSQL, then prove it moved.

The target gets the schema from the migrations (so it is exactly what `posbon serve` expects),
must be empty (but for the rows a migration seeds, which the source's replace), and is filled
table by table in foreign-key order, each table in one transaction. Rows are read through
piccolo's SQLite engine, whose column converters give back the Python values (datetimes,
booleans, lists) PostgreSQL's driver wants. Afterwards every row is read back from both sides in
primary-key order and compared value by value; the id sequences are moved past the copied ids so
new rows do not collide.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import asyncpg
import msgspec
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString
from piccolo.table import Table, sort_table_classes

from server.db import open_database, registered_tables
from server.settings import Settings

BATCH_ROWS: Final = 1000
Progress = Callable[[int], object]


class CopyError(Exception):
    """The copy cannot start or did not verify; the message says what to do."""


class TableReport(msgspec.Struct, frozen=True):
    table: str
    rows: int


def _name(table: type[Table]) -> str:
    return table._meta.tablename  # noqa: SLF001  (piccolo's documented table metadata)


def _key(table: type[Table]) -> str:
    return table._meta.primary_key._meta.db_column_name  # noqa: SLF001  (as above)


def ordered_tables() -> list[type[Table]]:
    """Tables with the ones they reference first."""
    return sort_table_classes(registered_tables())


async def count_rows(source: Path) -> int:
    engine = _source(source)
    total = 0
    for table in ordered_tables():
        rows = await engine.run_querystring(
            QueryString(f"SELECT COUNT(*) AS n FROM {_name(table)}")  # noqa: S608
        )
        total += int(rows[0]["n"])
    return total


def _source(path: Path) -> SQLiteEngine:
    if not path.is_file():
        raise CopyError(f"{path} is not a file: give the SQLite database (posbon.sqlite3)")
    return SQLiteEngine(path=str(path))


async def _read(engine: SQLiteEngine, table: type[Table]) -> list[dict[str, Any]]:
    sql = f"SELECT * FROM {_name(table)} ORDER BY {_key(table)}"  # noqa: S608
    rows: list[dict[str, Any]] = await engine.run_querystring(QueryString(sql))
    return rows


async def copy_database(source: Path, target_url: str, progress: Progress) -> list[TableReport]:
    """Copy every row; raise CopyError if the target is not empty or a row differs after."""
    engine = _source(source)
    target_db = await open_database(Settings(database_url=target_url))  # applies migrations
    await target_db.close()
    connection = await asyncpg.connect(target_url)
    try:
        await _require_empty(connection)
        reports = []
        for table in ordered_tables():
            rows = await _read(engine, table)
            await _insert(connection, table, rows, progress)
            reports.append(TableReport(table=_name(table), rows=len(rows)))
        for table in ordered_tables():
            await _verify(connection, table, await _read(engine, table))
            await _advance_sequence(connection, table)
    finally:
        await connection.close()
    return reports


def seeded(table: type[Table]) -> bool:
    """Whether a migration fills the table with defaults (a `SEEDED_BY_MIGRATION` table)."""
    return bool(getattr(table, "SEEDED_BY_MIGRATION", False))


async def _require_empty(connection: asyncpg.Connection) -> None:
    for table in ordered_tables():
        name = _name(table)
        if seeded(table):
            continue
        if await connection.fetchval(f"SELECT EXISTS (SELECT 1 FROM {name})"):  # noqa: S608
            raise CopyError(f"the target's {name} table has rows: copy into a new, empty database")


async def _insert(
    connection: asyncpg.Connection,
    table: type[Table],
    rows: Sequence[dict[str, Any]],
    progress: Progress,
) -> None:
    if seeded(table):  # the source's rows, even none, replace the migration's defaults
        await connection.execute(f"DELETE FROM {_name(table)}")  # noqa: S608
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    sql = f"INSERT INTO {_name(table)} ({names}) VALUES ({marks})"  # noqa: S608
    async with connection.transaction():
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start : start + BATCH_ROWS]
            await connection.executemany(sql, [tuple(row[c] for c in columns) for row in batch])
            progress(len(batch))


def _comparable(value: Any) -> Any:
    """One form for a value read from either engine (JSON text compares by content)."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _verify(
    connection: asyncpg.Connection, table: type[Table], expected: Sequence[dict[str, Any]]
) -> None:
    name = _name(table)
    key = _key(table)
    stored = await connection.fetch(f"SELECT * FROM {name} ORDER BY {key}")  # noqa: S608
    if len(stored) != len(expected):
        raise CopyError(f"{name}: {len(expected)} rows in SQLite but {len(stored)} copied")
    for want, got in zip(expected, stored, strict=True):
        for column, value in want.items():
            if _comparable(value) != _comparable(got[column]):
                raise CopyError(
                    f"{name} row {want[key]}: column {column} differs after the copy "
                    f"({value!r} became {got[column]!r}); the target is left for inspection"
                )


async def _advance_sequence(connection: asyncpg.Connection, table: type[Table]) -> None:
    name = _name(table)
    key = _key(table)
    sequence = await connection.fetchval("SELECT pg_get_serial_sequence($1, $2)", name, key)
    if sequence is not None:
        await connection.execute(
            f"SELECT setval($1, COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL) FROM {name}",  # noqa: S608
            sequence,
        )
