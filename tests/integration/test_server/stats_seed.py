"""Rows with known timestamps for the statistics tests: a site, an incident with its alert, and
the moments it reached each milestone. Written as SQL so a test controls every timestamp."""

from __future__ import annotations

import datetime as dt

from server.db import Database

NO_DATA = "{}"  # JSON columns; a literal {} in SQL would read as a placeholder


async def site(db: Database, name: str, district: str, created_at: dt.datetime) -> int:
    row = await db.fetch_one(
        "INSERT INTO sites (name, kind, address, district, lat, lon, created_at) "
        "VALUES ({}, 'school', '', {}, NULL, NULL, {}) RETURNING id",
        name,
        district,
        created_at,
    )
    assert row is not None
    return int(row["id"])


async def incident(
    db: Database, kind: str, site_id: int | None, outcome: str | None, received: dt.datetime
) -> int:
    """A resolved incident opened by one alert at `received`; two detained with that outcome."""
    detained = 2 if outcome == "persons_detained" else 0
    row = await db.fetch_one(
        "INSERT INTO incidents (kind, priority, status, site_id, lat, lon, address, title, "
        "crew_id, outcome, outcome_notes, persons_detained, created_at, updated_at, closed_at) "
        "VALUES ({}, 1, 'resolved', {}, NULL, NULL, '', '', NULL, {}, '', {}, {}, {}, NULL) "
        "RETURNING id",
        kind,
        site_id,
        outcome,
        detained,
        received,
        received,
    )
    assert row is not None
    await db.fetch(
        "INSERT INTO alerts (kind, priority, source, site_id, address, description, details, "
        "incident_id, occurred_at, received_at) VALUES ({}, 1, 'test', {}, '', '', {}, {}, {}, {})",
        kind,
        site_id,
        NO_DATA,
        int(row["id"]),
        received,
        received,
    )
    return int(row["id"])


async def reached(db: Database, incident_id: int, status: str, at: dt.datetime) -> None:
    await db.fetch(
        "INSERT INTO timeline (incident_id, at, actor, kind, from_status, to_status, device_at, "
        "data, prev_hash, hash) VALUES ({}, {}, 'test', 'status', NULL, {}, NULL, {}, '', '')",
        incident_id,
        at,
        status,
        NO_DATA,
    )
