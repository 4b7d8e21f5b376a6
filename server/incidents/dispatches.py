"""Dispatch rows and their stored deadlines (re-send at 30 s, escalate at 60 s).

Writes: dispatches
"""

from __future__ import annotations

import datetime as dt

import msgspec

from server.db import Database


class OpenDispatch(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    incident_id: int
    crew_id: int
    created_at: dt.datetime
    resent_count: int
    escalated: bool


_COLUMNS = "id, incident_id, crew_id, created_at, resent_count, escalated"


def _convert(rows: list[dict[str, object]]) -> list[OpenDispatch]:
    return msgspec.convert(rows, list[OpenDispatch], strict=False)


async def open_for(
    db: Database,
    incident_id: int,
    crew_id: int,
    now: dt.datetime,
    resend_after: dt.timedelta,
    escalate_after: dt.timedelta,
) -> int:
    await close_for_incident(db, incident_id)
    rows = await db.fetch(
        "INSERT INTO dispatches (incident_id, crew_id, created_at, resend_at, escalate_at, "
        "resent_count, escalated, active) VALUES ({}, {}, {}, {}, {}, 0, FALSE, TRUE) "
        "RETURNING id",
        incident_id,
        crew_id,
        now,
        now + resend_after,
        now + escalate_after,
    )
    return int(rows[0]["id"])


async def close_for_incident(db: Database, incident_id: int) -> None:
    await db.fetch(
        "UPDATE dispatches SET active = FALSE WHERE incident_id = {} AND active", incident_id
    )


async def acknowledge(db: Database, incident_id: int, now: dt.datetime) -> None:
    await db.fetch(
        "UPDATE dispatches SET acknowledged_at = {} "
        "WHERE incident_id = {} AND active AND acknowledged_at IS NULL",
        now,
        incident_id,
    )


async def due_for_resend(db: Database, now: dt.datetime) -> list[OpenDispatch]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM dispatches WHERE active AND acknowledged_at IS NULL "  # noqa: S608
        "AND resent_count = 0 AND resend_at <= {} ORDER BY id",
        now,
    )
    return _convert(rows)


async def due_for_escalation(db: Database, now: dt.datetime) -> list[OpenDispatch]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM dispatches WHERE active AND acknowledged_at IS NULL "  # noqa: S608
        "AND NOT escalated AND escalate_at <= {} ORDER BY id",
        now,
    )
    return _convert(rows)


async def mark_resent(db: Database, dispatch_id: int) -> bool:
    """True if this call made the change (a second node racing us gets False)."""
    rows = await db.fetch(
        "UPDATE dispatches SET resent_count = resent_count + 1 "
        "WHERE id = {} AND resent_count = 0 RETURNING id",
        dispatch_id,
    )
    return bool(rows)


async def mark_escalated(db: Database, dispatch_id: int) -> bool:
    rows = await db.fetch(
        "UPDATE dispatches SET escalated = TRUE WHERE id = {} AND NOT escalated RETURNING id",
        dispatch_id,
    )
    return bool(rows)


async def crew_has_pending(db: Database, incident_id: int, crew_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT id FROM dispatches WHERE incident_id = {} AND crew_id = {} AND active",
        incident_id,
        crew_id,
    )
    return row is not None
