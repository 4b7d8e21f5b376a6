"""Retention and holds on a recording's custody log: each step is an entry written in the same
transaction as the change it records, so the log and the state never disagree.

A hold on an incident covers recordings linked to it later too; each of them gets its
HOLD_PLACED entry when retention first sees the link. `note_hold` writes one entry per hold and
kind on a recording, however many times it is asked, so every path may simply ask.
"""

from __future__ import annotations

import datetime as dt

from server.custody import repository as custody
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.evidence.retention_schemas import Hold

SYSTEM_ACTOR = "system"


async def note(
    db: Database,
    recording_id: str,
    at: dt.datetime,
    actor: str,
    kind: CustodyKind,
    reason: str,
    data: dict[str, object],
) -> None:
    """Must run inside `db.write()`."""
    facts = CustodyFacts(
        recording_id=recording_id, at=at, actor=actor, kind=kind, reason=reason, data=data
    )
    await custody.append(db, facts)


async def note_hold(
    db: Database,
    recording_id: str,
    hold: Hold,
    kind: CustodyKind,
    at: dt.datetime,
    actor: str,
    reason: str,
) -> bool:
    """HOLD_PLACED or HOLD_RELEASED for `hold` on the recording, unless it is there already.
    Must run inside `db.write()`."""
    for entry in await custody.entries(db, recording_id):
        if entry.kind is kind and entry.data.get("hold_id") == hold.id:
            return False
    data: dict[str, object] = {"hold_id": hold.id}
    if hold.incident_id is not None:
        data["incident_id"] = hold.incident_id
    await note(db, recording_id, at, actor, kind, reason, data)
    return True


def when(moment: dt.datetime) -> str:
    """A time as custody data and messages write it: ISO 8601 in UTC, to the second."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()
