"""Legal hold: a recording, or every recording of an incident, that must not be deleted until
the hold is released, whatever its retention says.

A hold is placed and released with a reason, and both are entries on the custody log of every
recording it covers (a recording linked to a held incident later gets its HOLD_PLACED entry when
retention first sees the link). The retention job asks for holds twice: when it claims an
expired recording and again just before it deletes the file, so a hold placed in between still
keeps it.
"""

from __future__ import annotations

import datetime as dt

from server.auth.schemas import Principal
from server.custody import service as custody
from server.custody.schemas import CustodyKind
from server.db import Database
from server.errors import Conflict, NotFound
from server.evidence import holds_repository as repository
from server.evidence import items, retention_repository
from server.evidence.retention_changes import require_kept
from server.evidence.retention_log import note_hold
from server.evidence.retention_schemas import Hold
from server.incidents.service import require as require_incident


async def place_on_recording(
    db: Database, recording_id: str, reason: str, who: Principal, now: dt.datetime
) -> Hold:
    await custody.open_chain(db, recording_id, who)
    async with db.write():
        # The row lock orders this hold with the job's claim of the same recording.
        row = await retention_repository.find(db, recording_id, lock=True)
        if row is not None and row.deleted_at is not None:
            require_kept(row)
        hold = await repository.insert(db, recording_id, None, reason, who.actor, now)
        await note_hold(db, recording_id, hold, CustodyKind.HOLD_PLACED, now, who.actor, reason)
    return hold


async def place_on_incident(
    db: Database, incident_id: int, reason: str, who: Principal, now: dt.datetime
) -> Hold:
    """A hold on everything linked to the incident, now and later."""
    await require_incident(db, incident_id)
    async with db.write():
        hold = await repository.insert(db, None, incident_id, reason, who.actor, now)
        for recording_id in await items.recordings_of_incident(db, incident_id):
            await note_hold(db, recording_id, hold, CustodyKind.HOLD_PLACED, now, who.actor, reason)
    return hold


async def release(
    db: Database, hold_id: int, reason: str, who: Principal, now: dt.datetime
) -> Hold:
    async with db.write():
        hold = await repository.find(db, hold_id)
        if hold is None:
            raise NotFound(f"There is no legal hold with id {hold_id}.", code="hold_unknown")
        if not await repository.release(db, hold_id, who.actor, reason, now):
            raise Conflict(f"Legal hold {hold_id} was released already.", code="hold_released")
        if hold.recording_id is not None:
            covered = [hold.recording_id]
        else:
            assert hold.incident_id is not None  # a hold is on a recording or an incident
            covered = await items.recordings_of_incident(db, hold.incident_id)
        placed = f"covered by the hold on incident {hold.incident_id}: {hold.reason}"
        for recording_id in covered:
            # A recording linked after the hold was placed: its HOLD_PLACED first, if missing.
            kind = CustodyKind.HOLD_PLACED
            await note_hold(db, recording_id, hold, kind, now, hold.placed_by, placed)
            kind = CustodyKind.HOLD_RELEASED
            await note_hold(db, recording_id, hold, kind, now, who.actor, reason)
        released = await repository.find(db, hold_id)
    assert released is not None
    return released


async def listing(db: Database, *, active_only: bool) -> list[Hold]:
    return await repository.listing(db, active_only=active_only)


async def holding(db: Database, recording_id: str) -> list[Hold]:
    """The holds in force on the recording, directly or through one of its incidents."""
    incident_ids = await items.incidents_of_recording(db, recording_id)
    return await repository.covering(db, recording_id, incident_ids)
