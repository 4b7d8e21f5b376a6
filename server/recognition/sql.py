"""Small SQL helpers shared by the recognition domains (cameras, watchlists, plates, crops)."""

from __future__ import annotations

from typing import Any

from server.crud import INTEGRITY_ERRORS
from server.db import Database
from server.errors import Conflict


async def insert_returning_id(db: Database, sql: str, *args: Any) -> int:
    """Run an INSERT and return the new row's id; a unique clash is a 409."""
    try:
        rows = await db.fetch(sql + " RETURNING id", *args)
    except INTEGRITY_ERRORS as err:
        raise Conflict(f"That clashes with an existing entry: {err}.") from err
    return int(rows[0]["id"])


async def update_row(db: Database, table: str, row_id: int, changes: dict[str, Any]) -> None:
    """``table`` and the keys of ``changes`` come from code, never from a request."""
    if not changes:
        return
    assignments = ", ".join(f"{column} = {{}}" for column in changes)
    sql = f"UPDATE {table} SET {assignments} WHERE id = {{}}"  # noqa: S608
    try:
        await db.fetch(sql, *changes.values(), row_id)
    except INTEGRITY_ERRORS as err:
        raise Conflict(f"That change clashes with an existing entry: {err}.") from err
