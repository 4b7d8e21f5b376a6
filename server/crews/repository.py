"""Crews: the registry, the status and position a dispatch or a tablet sets, and lookups.

Writes: crews
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import msgspec

from server.crews.schemas import Crew, CrewStatus
from server.crews.tables import Crew as CrewTable
from server.crud import Registry, Row
from server.db import Database


def _to_crew(row: Row) -> Crew:
    members = row["members"]
    if isinstance(members, str):
        row = {**row, "members": msgspec.json.decode(members)}
    return msgspec.convert(row, Crew, strict=False)


crews = Registry(CrewTable, "crew", _to_crew)


async def set_status(db: Database, crew_id: int, status: CrewStatus, at: dt.datetime) -> None:
    await db.run(
        CrewTable.update({CrewTable.status: status.value, CrewTable.status_since: at}).where(
            CrewTable.id == crew_id
        )
    )


async def set_position(db: Database, crew_id: int, lat: float, lon: float, at: dt.datetime) -> None:
    await db.run(
        CrewTable.update({CrewTable.lat: lat, CrewTable.lon: lon, CrewTable.position_at: at}).where(
            CrewTable.id == crew_id
        )
    )


SUGGESTIBLE: Final = (CrewStatus.AVAILABLE, CrewStatus.RETURNING)
"""The statuses of crews a dispatcher may be offered (a returning crew is free to take a call;
one out of service, off duty or on a call is not)."""


async def suggestible_with_position(db: Database) -> list[Crew]:
    rows = await db.run(
        CrewTable.select()
        .where(
            CrewTable.status.is_in([status.value for status in SUGGESTIBLE])
            & CrewTable.lat.is_not_null()
        )
        .order_by(CrewTable.id)
    )
    return [_to_crew(row) for row in rows]


async def holds_open_incident(db: Database, crew_id: int) -> bool:
    """Whether an incident not yet closed is assigned to the crew."""
    row = await db.fetch_one(
        "SELECT id FROM incidents WHERE crew_id = {} AND closed_at IS NULL LIMIT 1", crew_id
    )
    return row is not None


async def find_id_by_name(db: Database, name: str) -> int | None:
    rows = await db.run(CrewTable.select(CrewTable.id).where(CrewTable.name == name).limit(1))
    return int(rows[0]["id"]) if rows else None
