"""Incident rows in and Structs out; nothing above this module sees a row.

Writes: incidents, applied_ops
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec

from server.auth.scope import ANYTHING, Condition
from server.db import Database
from server.incidents.lifecycle import CLOSED
from server.incidents.schemas import Incident
from server.sites.schemas import SiteRef
from sync.entities import Outcome
from sync.lattices import IncidentStatus

_SELECT = (
    "SELECT i.id, i.kind, i.priority, i.status, i.title, i.site_id, i.lat, i.lon, i.address, "
    "i.crew_id, i.outcome, i.outcome_notes, i.persons_detained, i.created_at, i.updated_at, "
    "i.closed_at, i.proposed_outcome, s.name AS site_name, c.name AS crew_name "
    "FROM incidents i LEFT JOIN sites s ON s.id = i.site_id LEFT JOIN crews c ON c.id = i.crew_id"
)


class IncidentFilter(msgspec.Struct, frozen=True, kw_only=True):
    statuses: Sequence[IncidentStatus] = ()
    priority: int | None = None
    kind: str | None = None
    crew_id: int | None = None
    since: dt.datetime | None = None
    queue_order: bool = False
    limit: int = 100
    offset: int = 0
    within: Condition = ANYTHING
    """A scoped caller's reach, on `i` (server/auth/scope.py)."""


class NewIncident(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    priority: int
    title: str
    site: SiteRef
    at: dt.datetime


def _placeholders(count: int) -> str:
    return ", ".join(["{}"] * count)


def _to_incident(row: dict[str, Any], alert_ids: list[int]) -> Incident:
    site = SiteRef(
        id=row["site_id"],
        name=row["site_name"] or "",
        address=row["address"],
        lat=row["lat"],
        lon=row["lon"],
    )
    return Incident(
        id=row["id"],
        kind=row["kind"],
        priority=row["priority"],
        status=IncidentStatus(row["status"]),
        title=row["title"],
        site=site,
        crew_id=row["crew_id"],
        outcome=_outcome(row["outcome"]),
        outcome_notes=row["outcome_notes"],
        persons_detained=row["persons_detained"],
        alert_ids=alert_ids,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        crew_name=row["crew_name"],
        proposed_outcome=_outcome(row["proposed_outcome"]),
    )


def _outcome(value: str | None) -> Outcome | None:
    return None if value is None else Outcome(value)


async def _alert_ids(db: Database, incident_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {incident_id: [] for incident_id in incident_ids}
    if incident_ids:
        rows = await db.fetch(
            f"SELECT id, incident_id FROM alerts WHERE incident_id IN "  # noqa: S608
            f"({_placeholders(len(incident_ids))}) ORDER BY id",
            *incident_ids,
        )
        for row in rows:
            found[row["incident_id"]].append(row["id"])
    return found


async def find(db: Database, incident_id: int, *, lock: bool = False) -> Incident | None:
    suffix = db.for_update.replace("FOR UPDATE", "FOR UPDATE OF i") if lock else ""
    row = await db.fetch_one(_SELECT + " WHERE i.id = {}" + suffix, incident_id)
    if row is None:
        return None
    return _to_incident(row, (await _alert_ids(db, [incident_id]))[incident_id])


async def search(db: Database, where: IncidentFilter) -> list[Incident]:
    clauses: list[str] = [] if where.within == ANYTHING else [where.within.sql]
    args: list[Any] = list(where.within.args)
    if where.statuses:
        clauses.append(f"i.status IN ({_placeholders(len(where.statuses))})")
        args.extend(status.value for status in where.statuses)
    for column, value in (
        ("i.priority", where.priority),
        ("i.kind", where.kind),
        ("i.crew_id", where.crew_id),
    ):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    if where.since is not None:
        clauses.append("i.created_at >= {}")
        args.append(where.since)
    sql = _SELECT + (" WHERE " + " AND ".join(clauses) if clauses else "")
    order = "i.priority ASC, i.created_at ASC" if where.queue_order else "i.created_at DESC"
    sql += f" ORDER BY {order}, i.id LIMIT {{}} OFFSET {{}}"
    rows = await db.fetch(sql, *args, where.limit, where.offset)
    alert_ids = await _alert_ids(db, [row["id"] for row in rows])
    return [_to_incident(row, alert_ids[row["id"]]) for row in rows]


async def insert(db: Database, new: NewIncident) -> int:
    rows = await db.fetch(
        "INSERT INTO incidents (kind, priority, status, site_id, lat, lon, address, title, "
        "outcome_notes, persons_detained, created_at, updated_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, '', 0, {}, {}) RETURNING id",
        new.kind,
        new.priority,
        IncidentStatus.NEW.value,
        new.site.id,
        new.site.lat,
        new.site.lon,
        new.site.address,
        new.title,
        new.at,
        new.at,
    )
    return int(rows[0]["id"])


async def set_status(
    db: Database, incident_id: int, status: IncidentStatus, at: dt.datetime, crew_id: int | None
) -> None:
    closed_at = at if status in CLOSED else None
    await db.fetch(
        "UPDATE incidents SET status = {}, updated_at = {}, closed_at = {}, crew_id = {} "
        "WHERE id = {}",
        status.value,
        at,
        closed_at,
        crew_id,
        incident_id,
    )


async def set_outcome(
    db: Database, incident_id: int, outcome: Outcome, notes: str, persons_detained: int
) -> None:
    await db.fetch(
        "UPDATE incidents SET outcome = {}, outcome_notes = {}, persons_detained = {} "
        "WHERE id = {}",
        outcome.value,
        notes,
        persons_detained,
        incident_id,
    )


async def set_proposed_outcome(db: Database, incident_id: int, outcome: Outcome | None) -> None:
    """Keep the outcome the crew's report proposes."""
    await db.fetch(
        "UPDATE incidents SET proposed_outcome = {} WHERE id = {}",
        None if outcome is None else outcome.value,
        incident_id,
    )


async def raise_priority(db: Database, incident_id: int, priority: int, at: dt.datetime) -> bool:
    """Give the incident `priority` when that is more urgent (a lower number) than its own:
    the worst of its alarms sets it. Whether it changed."""
    rows = await db.fetch(
        "UPDATE incidents SET priority = {}, updated_at = {} WHERE id = {} AND priority > {} "
        "RETURNING id",
        priority,
        at,
        incident_id,
        priority,
    )
    return bool(rows)


async def find_operation(db: Database, key: str) -> tuple[str, Incident] | None:
    """An applied operation's request fingerprint and stored result."""
    row = await db.fetch_one("SELECT request_hash, result FROM applied_ops WHERE op_id = {}", key)
    if row is None:
        return None
    return str(row["request_hash"]), msgspec.json.decode(row["result"], type=Incident)


async def insert_operation(
    db: Database, key: str, fingerprint: str, result: Incident, at: dt.datetime
) -> None:
    await db.fetch(
        "INSERT INTO applied_ops (op_id, request_hash, result, created_at) VALUES ({}, {}, {}, {})",
        key,
        fingerprint,
        msgspec.json.encode(result).decode(),
        at,
    )
