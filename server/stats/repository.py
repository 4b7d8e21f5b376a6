from __future__ import annotations

import datetime as dt
import statistics

from server.auth.scope import ANYTHING, Condition, where
from server.db import Database


async def count_by(
    db: Database,
    table: str,
    column: str,
    time_column: str,
    since: dt.datetime,
    until: dt.datetime,
    within: Condition = ANYTHING,
) -> dict[str, int]:
    """Rows of `table` per value of `column`; `within` (naming the table by its own name) is a
    scoped caller's reach."""
    sql, args = where(
        within,
        f"SELECT {column} AS key, COUNT(*) AS n FROM {table} "  # noqa: S608  (names are ours)
        f"WHERE {time_column} >= {{}} AND {time_column} < {{}} AND {column} IS NOT NULL",
        (since, until),
        more=True,
    )
    rows = await db.fetch(sql + f" GROUP BY {column} ORDER BY {column}", *args)
    return {str(row["key"]): int(row["n"]) for row in rows}


async def persons_detained(
    db: Database, since: dt.datetime, until: dt.datetime, within: Condition = ANYTHING
) -> int:
    sql, args = where(
        within,
        "SELECT COALESCE(SUM(persons_detained), 0) AS n FROM incidents "
        "WHERE created_at >= {} AND created_at < {}",
        (since, until),
        more=True,
    )
    row = await db.fetch_one(sql, *args)
    return 0 if row is None else int(row["n"])


async def median_minutes_to_on_scene(
    db: Database, since: dt.datetime, until: dt.datetime, within: Condition = ANYTHING
) -> float | None:
    sql, args = where(
        within,
        "SELECT i.created_at AS opened, t.at AS arrived FROM incidents i "
        "JOIN timeline t ON t.incident_id = i.id AND t.to_status = 'on_scene' "
        "WHERE i.created_at >= {} AND i.created_at < {}",
        (since, until),
        more=True,
    )
    rows = await db.fetch(sql, *args)
    minutes = [(row["arrived"] - row["opened"]).total_seconds() / 60 for row in rows]
    return statistics.median(minutes) if minutes else None
