"""Multi-row INSERTs for the sync repository, on both engines.

`Database.fetch` compiles piccolo QueryStrings, which costs about a microsecond per placeholder:
fine for one row, a third of the push budget for 10,000 mutations. Batches therefore go to the
current transaction's own connection with ``executemany`` (aiosqlite or asyncpg), which both
engines run in C. Only this module reaches past `Database` to do that.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.db import Database


async def insert_many(
    db: Database,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    on_conflict: str = "",
) -> None:
    """INSERT ``rows`` inside the current `db.write()` transaction."""
    if not rows:
        return
    transaction = db.engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("insert_many must run inside Database.write()")
    marks = ["?" if db.is_sqlite else f"${n}" for n in range(1, len(columns) + 1)]
    # Table and column names are the callers' constants; the values travel as parameters.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)}) {on_conflict}"  # noqa: S608
    await transaction.connection.executemany(sql, rows)


def placeholders(count: int) -> str:
    """``{}, {}, …`` for ``count`` values of a `Database.fetch` query."""
    return ", ".join(["{}"] * count)
