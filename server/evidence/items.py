"""Which recordings belong to an incident, and which incidents a recording belongs to.

A recording joins an incident through a `linked` entry on its custody log (`POST
/api/v1/recordings/{id}/links`); the log is append-only, so a link is never undone. Retention,
holds, shares and packages all read incident membership here.
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.custody.schemas import CustodyKind
from server.db import Database


def _incident_of(data: object) -> int | None:
    decoded: Any = msgspec.json.decode(data) if isinstance(data, str | bytes) else data
    value = decoded.get("incident_id") if isinstance(decoded, dict) else None
    return value if isinstance(value, int) else None


async def _links(db: Database, recording_id: str | None = None) -> list[tuple[str, int]]:
    sql = "SELECT recording_id, data FROM custody WHERE kind = {}"
    args: list[object] = [CustodyKind.LINKED.value]
    if recording_id is not None:
        sql += " AND recording_id = {}"
        args.append(recording_id)
    rows = await db.fetch(sql + " ORDER BY id", *args)
    links: list[tuple[str, int]] = []
    for row in rows:
        incident_id = _incident_of(row["data"])
        if incident_id is not None:
            links.append((str(row["recording_id"]), incident_id))
    return links


async def recordings_of_incident(db: Database, incident_id: int) -> list[str]:
    """The recordings linked to an incident, in the order they were linked, each once."""
    found = [recording for recording, incident in await _links(db) if incident == incident_id]
    return list(dict.fromkeys(found))


async def incidents_of_recording(db: Database, recording_id: str) -> list[int]:
    """The incidents a recording is linked to, in the order of linking, each once."""
    return list(dict.fromkeys(incident for _, incident in await _links(db, recording_id)))
