"""Retention: how long each verified recording is kept, and why.

Every verified recording gets a category the first time retention looks at it (a run of the job,
a read of its retention, any change): `no_incident`, or, when it is linked to incidents, the
longest of their categories (an incident without one set gives `incident`). Its expiry is the
time its file was verified plus the category's duration: the server's clock starts the period,
not the camera's.

A later link to an incident may only lengthen the expiry, never shorten it; every other change
is a person's, with a reason (server/evidence/retention_changes.py), and a shorter one waits for
a second person. A category's duration may grow (every recording in it is kept longer, each on
its log) but never shrink: keeping things for less time is a per-recording, two-person act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from server.auth.schemas import Principal
from server.custody import service as custody
from server.custody.schemas import CustodyKind
from server.db import Database
from server.errors import Conflict, NotFound
from server.evidence import holds_repository, items
from server.evidence import retention_repository as repository
from server.evidence.retention_log import SYSTEM_ACTOR, note, note_hold, when
from server.evidence.retention_schemas import (
    Category,
    CategoryIn,
    CategoryUpdateIn,
    PendingChange,
    Retention,
    RetentionRow,
    RetentionState,
    Tombstone,
)
from server.uploads import repository as uploads

NO_INCIDENT = "no_incident"
INCIDENT = "incident"


def expiry(base_at: dt.datetime, found: Category) -> dt.datetime:
    return base_at + dt.timedelta(seconds=found.duration_s)


async def require_category(db: Database, name: str) -> Category:
    found = await repository.category(db, name)
    if found is None:
        raise NotFound(
            f"There is no retention category {name!r}; GET /api/v1/evidence/retention/"
            "categories lists them.",
            code="retention_category_unknown",
        )
    return found


async def list_categories(db: Database) -> list[Category]:
    return await repository.categories(db)


async def create_category(
    db: Database, data: CategoryIn, who: Principal, now: dt.datetime
) -> Category:
    made = Category(
        name=data.name,
        title=data.title or data.name.replace("_", " "),
        duration_s=data.duration_s,
        created_at=now,
        updated_at=now,
        updated_by=who.actor,
    )
    async with db.write():
        if not await repository.insert_category(db, made):
            raise Conflict(
                f"Retention category {data.name!r} exists already; change it with PATCH.",
                code="retention_category_exists",
            )
    return made


async def update_category(
    db: Database, name: str, data: CategoryUpdateIn, who: Principal, now: dt.datetime
) -> Category:
    """A new title, or a longer duration, which lengthens every recording kept in it."""
    async with db.write():
        current = await require_category(db, name)
        duration_s = current.duration_s if data.duration_s is None else data.duration_s
        if duration_s < current.duration_s:
            raise Conflict(
                f"Retention category {name!r} cannot be made shorter; create a shorter "
                "category and move recordings into it (each needs a second person).",
                code="retention_category_shorter",
            )
        updated = Category(
            name=name,
            title=current.title if data.title is None else data.title,
            duration_s=duration_s,
            created_at=current.created_at,
            updated_at=now,
            updated_by=who.actor,
        )
        await repository.update_category(db, updated)
        if duration_s != current.duration_s:
            for row in await repository.in_category(db, name):
                expires_at = expiry(row.base_at, updated)
                await repository.set_category(db, row.recording_id, name, expires_at)
                await note(
                    db,
                    row.recording_id,
                    now,
                    who.actor,
                    CustodyKind.RETENTION_CHANGED,
                    data.reason,
                    {"category": name, "duration_s": duration_s, "expires_at": when(expires_at)},
                )
    return updated


async def _longest(db: Database, incident_ids: Sequence[int]) -> Category | None:
    """The longest category among the incidents' (`incident` for one without its own)."""
    best: Category | None = None
    for incident_id in incident_ids:
        name = await repository.incident_category(db, incident_id) or INCIDENT
        found = await repository.category(db, name)
        if found is not None and (best is None or found.duration_s > best.duration_s):
            best = found
    return best


async def _note_incident_holds(
    db: Database, recording_id: str, incident_ids: Sequence[int], now: dt.datetime
) -> None:
    for hold in await holds_repository.covering(db, recording_id, incident_ids):
        if hold.incident_id is not None:
            reason = f"covered by the hold on incident {hold.incident_id}: {hold.reason}"
            await note_hold(
                db, recording_id, hold, CustodyKind.HOLD_PLACED, now, hold.placed_by, reason
            )


async def _first(db: Database, recording_id: str, now: dt.datetime) -> RetentionRow | None:
    verified = await uploads.verified_for(db, recording_id)
    if verified is None or verified.sha256 is None:
        return None
    links = await repository.links(db, recording_id)
    incident_ids = list(dict.fromkeys(incident for _, incident in links))
    found = await _longest(db, incident_ids) or await require_category(db, NO_INCIDENT)
    base_at = verified.finished_at or now
    row = RetentionRow(
        recording_id=recording_id,
        sha256=verified.sha256,
        category=found.name,
        base_at=base_at,
        expires_at=expiry(base_at, found),
        link_mark=max((entry for entry, _ in links), default=0),
        state=RetentionState.KEPT,
    )
    await repository.insert(db, row)
    if incident_ids:
        # The default (`no_incident` from verification on) goes without saying; the log says
        # when an incident's category took over, so the entry never depends on when the job ran.
        reason = f"retention assigned: {found.name}"
        data: dict[str, object] = {
            "category": found.name,
            "expires_at": when(row.expires_at),
            "incident_ids": incident_ids,
        }
        await note(db, recording_id, now, SYSTEM_ACTOR, CustodyKind.RETENTION_CHANGED, reason, data)
    await _note_incident_holds(db, recording_id, incident_ids, now)
    return row


async def _new_links(db: Database, row: RetentionRow, now: dt.datetime) -> RetentionRow:
    links = await repository.links(db, row.recording_id, row.link_mark)
    if not links or row.state is not RetentionState.KEPT:
        return row
    incident_ids = list(dict.fromkeys(incident for _, incident in links))
    found = await _longest(db, incident_ids)
    current = await repository.category(db, row.category)
    if found is not None and (current is None or found.duration_s > current.duration_s):
        expires_at = expiry(row.base_at, found)
        await repository.set_category(db, row.recording_id, found.name, expires_at)
        reason = f"linked to incident {', '.join(map(str, incident_ids))}: {found.name}"
        data: dict[str, object] = {
            "from": row.category,
            "to": found.name,
            "expires_at": when(expires_at),
            "incident_ids": incident_ids,
        }
        await note(
            db, row.recording_id, now, SYSTEM_ACTOR, CustodyKind.RETENTION_CHANGED, reason, data
        )
    await repository.set_link_mark(db, row.recording_id, max(entry for entry, _ in links))
    await _note_incident_holds(db, row.recording_id, incident_ids, now)
    return await repository.find(db, row.recording_id) or row


async def assign(db: Database, recording_id: str, now: dt.datetime) -> RetentionRow | None:
    """The recording's retention, assigned first if need be and lengthened by new incident
    links; None while it has no verified file."""
    async with db.write():
        row = await repository.find(db, recording_id, lock=True)
        if row is None:
            return await _first(db, recording_id, now)
        return await _new_links(db, row, now)


async def assign_all(db: Database, now: dt.datetime) -> int:
    """Assign every verified recording without retention and apply new links; how many
    recordings got a category or a longer one."""
    changed = 0
    for recording_id, _, _ in await repository.unassigned(db):
        changed += await assign(db, recording_id, now) is not None
    marks = await repository.latest_links(db)
    for row in await repository.in_state(db, RetentionState.KEPT):
        if marks.get(row.recording_id, 0) > row.link_mark:
            after = await assign(db, row.recording_id, now)
            changed += after is not None and after.category != row.category
    return changed


async def require_assigned(db: Database, recording_id: str, now: dt.datetime) -> RetentionRow:
    row = await assign(db, recording_id, now)
    if row is None:
        raise NotFound(
            f"Recording {recording_id} has no verified file, so it has no retention yet.",
            code="retention_unassigned",
        )
    return row


async def view(db: Database, recording_id: str, who: Principal, now: dt.datetime) -> Retention:
    """What retention says of a recording the caller may open."""
    await custody.open_chain(db, recording_id, who)
    row = await require_assigned(db, recording_id, now)
    incident_ids = await items.incidents_of_recording(db, recording_id)
    holds = await holds_repository.covering(db, recording_id, incident_ids, active_only=False)
    return Retention(
        recording_id=recording_id,
        category=row.category,
        expires_at=row.expires_at,
        state=row.state,
        held=any(hold.released_at is None for hold in holds),
        holds=holds,
        pending=await _pending(db, row),
        deleted=_tombstone(row),
    )


async def _pending(db: Database, row: RetentionRow) -> PendingChange | None:
    if row.pending_category is None or row.pending_at is None:
        return None
    found = await require_category(db, row.pending_category)
    return PendingChange(
        category=found.name,
        requested_by=row.pending_by or "",
        reason=row.pending_reason or "",
        requested_at=row.pending_at,
        expires_at_if_confirmed=expiry(row.base_at, found),
    )


def _tombstone(row: RetentionRow) -> Tombstone | None:
    if row.state is not RetentionState.DELETED or row.deleted_at is None:
        return None
    return Tombstone(deleted_at=row.deleted_at, reason=row.deleted_reason or "")
