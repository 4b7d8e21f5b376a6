"""Schedules and their settled late-to-close deadlines: rows in, Structs out; plus the reads of
signals, devices and alerts the schedule rules need.

Writes: site_schedules, schedule_deadlines
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec

from server.db import Database
from server.schedules.schemas import ExceptionDay, Schedule, WeeklyHours

OPEN_STATUSES: Final = ("new", "dispatched", "acknowledged", "en_route", "on_scene")
CANCEL_CODES: Final = ("406", "OC")
"""Open/close codes that are neither an opening nor a closing (a cancelled alarm)."""
_SELECT: Final = (
    "SELECT site_id, weekly, holidays, exceptions, time_zone, late_grace_s, updated_by, "
    "updated_at FROM site_schedules"
)
_encoder = msgspec.json.Encoder()


class LastOpenClose(msgspec.Struct, frozen=True, kw_only=True):
    closed: bool
    received_at: dt.datetime


def _to_schedule(row: dict[str, Any]) -> Schedule:
    return Schedule(
        site_id=int(row["site_id"]),
        weekly=msgspec.json.decode(row["weekly"], type=WeeklyHours),
        holidays=msgspec.json.decode(row["holidays"], type=list[dt.date]),
        exceptions=msgspec.json.decode(row["exceptions"], type=list[ExceptionDay]),
        time_zone=row["time_zone"],
        late_grace_s=float(row["late_grace_s"]),
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )


async def find(db: Database, site_id: int) -> Schedule | None:
    row = await db.fetch_one(_SELECT + " WHERE site_id = {}", site_id)
    return None if row is None else _to_schedule(row)


async def every(db: Database) -> list[Schedule]:
    """Every site's schedule: one small row per scheduled site, read whole by the job."""
    return [_to_schedule(row) for row in await db.fetch(_SELECT + " ORDER BY site_id")]


async def put(db: Database, schedule: Schedule) -> None:
    """Store `schedule` in place of the site's; deadlines already settled stay settled."""
    values = (
        _encoder.encode(schedule.weekly).decode(),
        _encoder.encode(schedule.holidays).decode(),
        _encoder.encode(schedule.exceptions).decode(),
        schedule.time_zone,
        schedule.late_grace_s,
        schedule.updated_by,
        schedule.updated_at,
    )
    await db.fetch(
        "INSERT INTO site_schedules (site_id, weekly, holidays, exceptions, time_zone, "
        "late_grace_s, updated_by, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}) "
        "ON CONFLICT (site_id) DO UPDATE SET weekly = excluded.weekly, "
        "holidays = excluded.holidays, exceptions = excluded.exceptions, "
        "time_zone = excluded.time_zone, late_grace_s = excluded.late_grace_s, "
        "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        schedule.site_id,
        *values,
    )


async def delete(db: Database, site_id: int) -> bool:
    rows = await db.fetch(
        "DELETE FROM site_schedules WHERE site_id = {} RETURNING site_id", site_id
    )
    return bool(rows)


async def settled_since(db: Database, since: dt.datetime) -> set[tuple[int, dt.datetime]]:
    """(site, close time) of the deadlines settled with a close time after `since`."""
    rows = await db.fetch(
        "SELECT site_id, close_at FROM schedule_deadlines WHERE close_at > {}", since
    )
    return {(int(row["site_id"]), row["close_at"]) for row in rows}


async def settle(db: Database, site_id: int, close_at: dt.datetime, now: dt.datetime) -> bool:
    """Claim a deadline; False when another node (or an earlier run) already settled it."""
    rows = await db.fetch(
        "INSERT INTO schedule_deadlines (site_id, close_at, settled_at) VALUES ({}, {}, {}) "
        "ON CONFLICT (site_id, close_at) DO NOTHING RETURNING id",
        site_id,
        close_at,
        now,
    )
    return bool(rows)


async def note_alert(db: Database, site_id: int, close_at: dt.datetime, alert_id: int) -> None:
    await db.fetch(
        "UPDATE schedule_deadlines SET alert_id = {} WHERE site_id = {} AND close_at = {}",
        alert_id,
        site_id,
        close_at,
    )


async def last_open_close(db: Database, site_id: int, until: dt.datetime) -> LastOpenClose | None:
    """The site's last opening or closing received by `until`, from any of its devices."""
    marks = ", ".join(["{}"] * len(CANCEL_CODES))
    row = await db.fetch_one(
        "SELECT s.qualifier, s.received_at FROM signals s "  # noqa: S608
        "JOIN devices d ON d.id = s.device_id WHERE d.site = {} AND s.kind = 'open_close' "
        f"AND s.qualifier IN ('new', 'restore') AND s.code NOT IN ({marks}) "
        "AND s.received_at <= {} ORDER BY s.id DESC LIMIT 1",
        site_id,
        *CANCEL_CODES,
        until,
    )
    if row is None:
        return None
    return LastOpenClose(closed=row["qualifier"] == "restore", received_at=row["received_at"])


class OpenScheduleAlert(msgspec.Struct, frozen=True, kw_only=True):
    alert_id: int
    incident_id: int
    kind: str
    details: dict[str, Any]


async def open_schedule_alert(
    db: Database, site_id: int, kinds: tuple[str, ...]
) -> OpenScheduleAlert | None:
    """The site's newest alert of these kinds whose incident is still open."""
    kind_marks = ", ".join(["{}"] * len(kinds))
    status_marks = ", ".join(["{}"] * len(OPEN_STATUSES))
    row = await db.fetch_one(
        "SELECT a.id, a.incident_id, a.kind, a.details FROM alerts a "  # noqa: S608
        "JOIN incidents i ON i.id = a.incident_id "
        f"WHERE a.site_id = {{}} AND a.kind IN ({kind_marks}) "
        f"AND i.status IN ({status_marks}) ORDER BY a.id DESC LIMIT 1",
        site_id,
        *kinds,
        *OPEN_STATUSES,
    )
    if row is None:
        return None
    details = row["details"]
    return OpenScheduleAlert(
        alert_id=int(row["id"]),
        incident_id=int(row["incident_id"]),
        kind=row["kind"],
        details=msgspec.json.decode(details) if isinstance(details, str | bytes) else details,
    )
