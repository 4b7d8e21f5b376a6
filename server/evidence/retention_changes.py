"""A person changes a recording's category, or an incident's for all its evidence.

Each change needs a reason and is an entry on the recording's custody log. One that keeps the
recording at least as long takes effect at once; one that would delete it sooner only waits
(`pending`) until a second, different person confirms it: one mistaken or malicious click never
brings a deletion closer. Asking again for the category in force withdraws a pending shortening.
"""

from __future__ import annotations

import datetime as dt
import enum

from server.auth.schemas import Principal
from server.custody import service as custody
from server.custody.schemas import CustodyKind
from server.db import Database
from server.errors import ApiError, Conflict, Gone
from server.evidence import items, retention
from server.evidence import retention_repository as repository
from server.evidence.retention_log import note, when
from server.evidence.retention_schemas import (
    ConfirmIn,
    IncidentCategory,
    RetentionChangeIn,
    RetentionRow,
    RetentionState,
)
from server.incidents.service import require as require_incident


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    PENDING = "pending"
    UNCHANGED = "unchanged"


def require_kept(row: RetentionRow) -> None:
    """Refuse to change what retention has deleted or is deleting."""
    if row.state is RetentionState.KEPT:
        return
    if row.deleted_at is not None:
        raise Gone(
            f"The evidence file of recording {row.recording_id} was deleted at "
            f"{when(row.deleted_at)}: {row.deleted_reason}.",
            code="evidence_deleted",
        )
    raise Gone(
        f"The retention of recording {row.recording_id} has ended and its file is being deleted.",
        code="evidence_deleted",
    )


async def change(
    db: Database, recording_id: str, data: RetentionChangeIn, who: Principal, now: dt.datetime
) -> Outcome:
    await custody.open_chain(db, recording_id, who)
    target = await retention.require_category(db, data.category)
    await retention.require_assigned(db, recording_id, now)
    async with db.write():
        row = await repository.find(db, recording_id, lock=True)
        assert row is not None  # assigned above; rows are never removed
        require_kept(row)
        if target.name == row.category and row.pending_category is None:
            return Outcome.UNCHANGED
        expires_at = retention.expiry(row.base_at, target)
        facts: dict[str, object] = {"from": row.category, "to": target.name}
        if expires_at >= row.expires_at:
            await repository.set_category(db, recording_id, target.name, expires_at)
            facts["expires_at"] = when(expires_at)
            if row.pending_category is not None:
                facts["withdrawn"] = row.pending_category
            outcome = Outcome.APPLIED
        else:
            await repository.set_pending(db, recording_id, target.name, who.actor, data.reason, now)
            facts |= {"pending": True, "expires_at_if_confirmed": when(expires_at)}
            outcome = Outcome.PENDING
        kind = CustodyKind.RETENTION_CHANGED
        await note(db, recording_id, now, who.actor, kind, data.reason, facts)
    return outcome


async def confirm(
    db: Database, recording_id: str, data: ConfirmIn, who: Principal, now: dt.datetime
) -> None:
    """A second person puts a pending shorter category into force."""
    await custody.open_chain(db, recording_id, who)
    async with db.write():
        row = await repository.find(db, recording_id, lock=True)
        if row is None or row.pending_category is None:
            raise Conflict(
                f"Recording {recording_id} has no shorter category waiting for confirmation.",
                code="retention_nothing_pending",
            )
        require_kept(row)
        if row.pending_by == who.actor:
            raise Conflict(
                "You asked for this shorter category yourself; a second person must confirm it.",
                code="retention_same_person",
            )
        target = await retention.require_category(db, row.pending_category)
        expires_at = retention.expiry(row.base_at, target)
        await repository.set_category(db, recording_id, target.name, expires_at)
        facts: dict[str, object] = {
            "from": row.category,
            "to": target.name,
            "expires_at": when(expires_at),
            "requested_by": row.pending_by,
            "requested_reason": row.pending_reason,
        }
        reason = data.reason or f"shorter category {target.name} confirmed"
        await note(db, recording_id, now, who.actor, CustodyKind.RETENTION_CONFIRMED, reason, facts)


async def set_for_incident(
    db: Database, incident_id: int, data: RetentionChangeIn, who: Principal, now: dt.datetime
) -> IncidentCategory:
    """The incident's category, for the evidence linked now (each recording as `change` does
    it) and for what is linked later (which it may lengthen)."""
    await require_incident(db, incident_id)
    await retention.require_category(db, data.category)
    async with db.write():
        await repository.set_incident_category(
            db, incident_id, data.category, who.actor, data.reason, now
        )
    outcomes: dict[Outcome, list[str]] = {outcome: [] for outcome in Outcome}
    reason = f"incident {incident_id}: {data.reason}"
    for recording_id in await items.recordings_of_incident(db, incident_id):
        one = RetentionChangeIn(category=data.category, reason=reason)
        try:
            outcome = await change(db, recording_id, one, who, now)
        except ApiError:  # not verified yet, deleted, or not the caller's to open
            outcome = Outcome.UNCHANGED
        outcomes[outcome].append(recording_id)
    return IncidentCategory(
        incident_id=incident_id,
        category=data.category,
        applied=outcomes[Outcome.APPLIED],
        pending=outcomes[Outcome.PENDING],
        unchanged=outcomes[Outcome.UNCHANGED],
    )
