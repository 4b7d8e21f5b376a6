"""Alerts as stored: rows in, Structs out.

Writes: alerts
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from server.alerts.schemas import Alert, AlertKind
from server.auth.scope import ANYTHING, Condition
from server.db import Database
from server.sites.schemas import SiteRef

_SELECT = (
    "SELECT a.id, a.kind, a.priority, a.source, a.external_id, a.device_id, a.site_id, a.lat, "
    "a.lon, a.address, a.description, a.details, a.incident_id, a.occurred_at, a.received_at, "
    "s.name AS site_name FROM alerts a LEFT JOIN sites s ON s.id = a.site_id"
)


class NewAlert(msgspec.Struct, frozen=True, kw_only=True):
    kind: AlertKind
    priority: int
    source: str
    site: SiteRef
    occurred_at: dt.datetime
    received_at: dt.datetime
    description: str = ""
    external_id: str | None = None
    device_id: int | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)


def _to_alert(row: dict[str, Any]) -> Alert:
    details = row["details"]
    return Alert(
        id=row["id"],
        kind=AlertKind(row["kind"]),
        priority=row["priority"],
        source=row["source"],
        site=SiteRef(
            id=row["site_id"],
            name=row["site_name"] or "",
            address=row["address"],
            lat=row["lat"],
            lon=row["lon"],
        ),
        occurred_at=row["occurred_at"],
        received_at=row["received_at"],
        incident_id=row["incident_id"],
        description=row["description"],
        external_id=row["external_id"],
        device_id=row["device_id"],
        details=msgspec.json.decode(details) if isinstance(details, str | bytes) else details,
    )


_INSERT = (
    "INSERT INTO alerts (kind, priority, source, external_id, device_id, site_id, lat, lon, "
    "address, description, details, occurred_at, received_at) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)


def _values(new: NewAlert) -> tuple[Any, ...]:
    return (
        new.kind.value,
        new.priority,
        new.source,
        new.external_id,
        new.device_id,
        new.site.id,
        new.site.lat,
        new.site.lon,
        new.site.address,
        new.description,
        msgspec.json.encode(new.details).decode(),
        new.occurred_at,
        new.received_at,
    )


async def insert(db: Database, new: NewAlert) -> int:
    rows = await db.fetch(_INSERT + " RETURNING id", *_values(new))
    return int(rows[0]["id"])


async def insert_unless_stored(db: Database, new: NewAlert) -> int | None:
    """The new alert's id; None when another transaction stored its `external_id` first (on
    PostgreSQL two requests may both find it absent, then the second insert waits for the
    first to commit and does nothing)."""
    rows = await db.fetch(
        _INSERT + " ON CONFLICT (external_id) DO NOTHING RETURNING id", *_values(new)
    )
    return int(rows[0]["id"]) if rows else None


async def link_incident(db: Database, alert_id: int, incident_id: int) -> None:
    await db.fetch("UPDATE alerts SET incident_id = {} WHERE id = {}", incident_id, alert_id)


async def find(db: Database, alert_id: int) -> Alert | None:
    row = await db.fetch_one(_SELECT + " WHERE a.id = {}", alert_id)
    return None if row is None else _to_alert(row)


async def find_external(db: Database, external_id: str) -> Alert | None:
    row = await db.fetch_one(_SELECT + " WHERE a.external_id = {}", external_id)
    return None if row is None else _to_alert(row)


async def search(
    db: Database,
    *,
    kind: AlertKind | None,
    priority: int | None,
    incident_id: int | None,
    since: dt.datetime | None,
    limit: int,
    offset: int,
    within: Condition = ANYTHING,
) -> list[Alert]:
    """A page of alerts, newest first; `within` (on `a`) is a scoped caller's reach."""
    clauses: list[str] = [] if within == ANYTHING else [within.sql]
    args: list[Any] = list(within.args)
    for column, value in (
        ("a.kind", None if kind is None else kind.value),
        ("a.priority", priority),
        ("a.incident_id", incident_id),
    ):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    if since is not None:
        clauses.append("a.received_at >= {}")
        args.append(since)
    sql = _SELECT + (" WHERE " + " AND ".join(clauses) if clauses else "")
    rows = await db.fetch(sql + " ORDER BY a.id DESC LIMIT {} OFFSET {}", *args, limit, offset)
    return [_to_alert(row) for row in rows]
