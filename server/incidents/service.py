"""Incident actions: open, dispatch, status changes, notes, receipts.

Each action is one write transaction that changes the incident, appends to its hash-chained
timeline and writes the outbox events, so a socket can never see a change that did not commit,
and a committed change can never miss its socket.

Writes: receipts
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from server.auth.schemas import Principal, Role
from server.crews import repository as crews_repository
from server.crews.repository import crews
from server.crews.schemas import Crew, CrewStatus
from server.db import Database
from server.errors import Conflict, Forbidden, NotFound, Unprocessable
from server.incidents import dispatches, hooks, operations, repository, sync_state, timeline
from server.incidents.lifecycle import CLOSED, CREW_STATUS_FOR, can_dispatch, can_move
from server.incidents.navigation import Destination, destination_of
from server.incidents.schemas import (
    DispatchIn,
    Incident,
    NoteEvent,
    NoteIn,
    ResolveIn,
    StatusIn,
    TimelineEntry,
)
from server.incidents.timeline import EntryFacts
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM, crew_stream
from server.settings import Settings
from sync.entities import Outcome
from sync.hlc import HybridClock
from sync.lattices import IncidentStatus

SYSTEM_ACTOR: Final = "system"
STATUS_REPORT_KIND: Final = "status_report"


class DispatchPolicy(msgspec.Struct, frozen=True):
    resend_after: dt.timedelta
    escalate_after: dt.timedelta

    @classmethod
    def of(cls, settings: Settings) -> DispatchPolicy:
        """The deadlines the settings give a dispatch."""
        return cls(
            resend_after=dt.timedelta(seconds=settings.dispatch_resend_s),
            escalate_after=dt.timedelta(seconds=settings.dispatch_escalate_s),
        )


class DispatchEvent(msgspec.Struct, frozen=True, kw_only=True):
    """What a crew's tablet receives when it is sent somewhere."""

    dispatch_id: int
    incident: Incident
    note: str = ""
    resend: bool = False
    destination: Destination | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _locked(db: Database, incident_id: int) -> Incident:
    incident = await repository.find(db, incident_id, lock=True)
    if incident is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return incident


async def record(db: Database, facts: EntryFacts) -> TimelineEntry:
    """Append to the timeline and show the entry on the dispatcher stream."""
    entry = await timeline.append(db, facts)
    await outbox.append(db, DISPATCH_STREAM, "timeline", entry)
    return entry


async def publish(db: Database, incident: Incident) -> None:
    """Show a changed incident to the dispatchers and to the crew it is assigned (every change,
    a close included: the tablet stands down on a cancel)."""
    await outbox.append(db, DISPATCH_STREAM, "incident", incident)
    if incident.crew_id is not None:
        await outbox.append(db, crew_stream(incident.crew_id), "incident", incident)


async def _changed(db: Database, clock: HybridClock, incident: Incident) -> None:
    """Tell the sockets and the synced incident (server/incidents/sync_state.py)."""
    await publish(db, incident)
    await sync_state.project(db, clock, incident)


async def set_crew_status(db: Database, crew_id: int, status: CrewStatus, at: dt.datetime) -> None:
    await crews_repository.set_status(db, crew_id, status, at)
    await outbox.append(db, DISPATCH_STREAM, "crew", await crews.get(db, crew_id))


async def announce_new(db: Database, clock: HybridClock, incident_id: int, actor: str) -> Incident:
    """Record a just-inserted incident's creation, publish it and project it into sync (so the
    crews of its district pull it before anyone is sent); runs inside the alert's transaction,
    after the alert event (the alert is what a dispatcher must see first)."""
    incident = await _locked(db, incident_id)
    await record(
        db,
        EntryFacts(
            incident_id=incident_id,
            at=incident.created_at,
            actor=actor,
            kind="created",
            to_status=IncidentStatus.NEW,
            data={"title": incident.title},
        ),
    )
    await hooks.opened(db, incident, actor)  # e.g. the action plan it follows (server/plans)
    await _changed(db, clock, incident)
    return incident


async def dispatch(
    db: Database,
    clock: HybridClock,
    incident_id: int,
    body: DispatchIn,
    who: Principal,
    policy: DispatchPolicy,
) -> Incident:
    async with db.write():
        incident = await _locked(db, incident_id)
        if not can_dispatch(incident.status):
            raise Conflict(
                f"Incident {incident_id} is {incident.status}; it cannot be dispatched.",
                code="not_dispatchable",
            )
        crew = await crews.get(db, body.crew_id)
        _check_crew_can_go(crew)
        now = _now()
        previous_crew = incident.crew_id if incident.crew_id != crew.id else None
        if previous_crew is not None:
            await set_crew_status(db, previous_crew, CrewStatus.AVAILABLE, now)
        dispatch_id = await dispatches.open_for(
            db, incident_id, crew.id, now, policy.resend_after, policy.escalate_after
        )
        await repository.set_status(db, incident_id, IncidentStatus.DISPATCHED, now, crew.id)
        await record(
            db,
            EntryFacts(
                incident_id=incident_id,
                at=now,
                actor=who.actor,
                kind="dispatched",
                from_status=incident.status,
                to_status=IncidentStatus.DISPATCHED,
                data={"crew_id": crew.id, "crew": crew.name, "note": body.note},
            ),
        )
        await set_crew_status(db, crew.id, CrewStatus.DISPATCHED, now)
        updated = await _locked(db, incident_id)
        event = DispatchEvent(
            dispatch_id=dispatch_id,
            incident=updated,
            note=body.note,
            destination=destination_of(updated.site),
        )
        await outbox.append(db, crew_stream(crew.id), "dispatch", event)
        await outbox.append(db, DISPATCH_STREAM, "incident", updated)
        if previous_crew is not None:
            # The crew it was taken from stands down: the incident now names another crew.
            await outbox.append(db, crew_stream(previous_crew), "incident", updated)
        await sync_state.project(db, clock, updated)
    return updated


def _check_crew_can_go(crew: Crew) -> None:
    if crew.status is CrewStatus.OFF_DUTY:
        raise Conflict(f"Crew {crew.name} is off duty.", code="crew_off_duty")
    if crew.status is CrewStatus.OUT_OF_SERVICE:
        raise Conflict(f"Crew {crew.name} is out of service.", code="crew_out_of_service")


def _check_actor(incident: Incident, who: Principal) -> None:
    if who.role is Role.CREW and incident.crew_id != who.crew_id:
        raise Forbidden(
            f"Incident {incident.id} is not assigned to this crew.", code="not_your_incident"
        )


def _check_move(incident: Incident, target: IncidentStatus, outcome: Outcome | None) -> None:
    if not can_move(incident.status, target):
        raise Unprocessable(
            f"Incident {incident.id} is {incident.status}; it cannot become {target}.",
            code="invalid_transition",
        )
    if target in CLOSED and outcome is None:
        raise Unprocessable(
            f"Closing an incident as {target} needs an outcome.", code="outcome_required"
        )


async def _apply_status(
    db: Database,
    incident: Incident,
    target: IncidentStatus,
    who: Principal,
    device_at: dt.datetime | None,
    data: dict[str, Any],
) -> Incident:
    now = _now()
    await repository.set_status(db, incident.id, target, now, incident.crew_id)
    if target is not IncidentStatus.NEW:
        await dispatches.acknowledge(db, incident.id, now)
    if target in CLOSED:
        await dispatches.close_for_incident(db, incident.id)
    await record(
        db,
        EntryFacts(
            incident_id=incident.id,
            at=now,
            actor=who.actor,
            kind="status",
            from_status=incident.status,
            to_status=target,
            device_at=device_at,
            data=data,
        ),
    )
    if incident.crew_id is not None:
        crew_status = CREW_STATUS_FOR[target]
        await set_crew_status(db, incident.crew_id, crew_status, now)
    return await _locked(db, incident.id)


async def _move(
    db: Database,
    clock: HybridClock,
    incident: Incident,
    change: StatusIn,
    who: Principal,
    outcome: ResolveIn | None,
    via: Mapping[str, object],
) -> Incident:
    _check_move(incident, change.status, None if outcome is None else outcome.outcome)
    if change.status in CLOSED:  # e.g. required action-plan steps still open (server/plans)
        await hooks.check_close(db, incident, who, change.plan_override)
    data: dict[str, Any] = ({"note": change.note} if change.note else {}) | dict(via)
    if outcome is not None:
        await repository.set_outcome(
            db, incident.id, outcome.outcome, outcome.notes, outcome.persons_detained
        )
        data |= {"outcome": outcome.outcome.value, "persons_detained": outcome.persons_detained}
    updated = await _apply_status(db, incident, change.status, who, change.device_at, data)
    await _changed(db, clock, updated)
    return updated


async def _report(
    db: Database, incident: Incident, change: StatusIn, who: Principal, via: Mapping[str, object]
) -> Incident:
    """A change to the status the incident already has (two tablets of one crew both said
    "en route"): kept on the timeline, moving nothing."""
    await record(
        db,
        EntryFacts(
            incident_id=incident.id,
            at=_now(),
            actor=who.actor,
            kind=STATUS_REPORT_KIND,
            from_status=incident.status,
            to_status=incident.status,
            device_at=change.device_at,
            data=({"note": change.note} if change.note else {}) | dict(via),
        ),
    )
    return incident


async def change_status(
    db: Database,
    clock: HybridClock,
    incident_id: int,
    change: StatusIn,
    who: Principal,
    outcome: ResolveIn | None = None,
    *,
    via: Mapping[str, object] | None = None,
) -> Incident:
    """The one status command: REST (`/status`, `/resolve`), the socket's `status` message and
    a synced crew status change (server/incidents/sync_rules.py) all call it, the same way.

    Checks that the caller may act on the incident; replays a repeated `op_id` (a sync push's
    is its mutation id; server/incidents/operations.py: per caller and incident, checked after
    authorization); keeps a change to the status the incident already has as a report; else
    moves the incident (lifecycle, outcome, dispatch, crew, timeline, outbox, synced state).
    `via` says where the change came from (a sync device), for the timeline entry."""
    async with db.write():
        incident = await _locked(db, incident_id)
        _check_actor(incident, who)
        outcome = _disposition(change, outcome)
        operation = operations.of(who, incident_id, change)
        fingerprint = "" if operation is None else operation.fingerprint(outcome)
        if operation is not None and (done := await operations.replay(db, operation, fingerprint)):
            return done
        if incident.status is change.status:
            updated = await _report(db, incident, change, who, via or {})
        else:
            updated = await _move(db, clock, incident, change, who, outcome, via or {})
        if operation is not None:
            await operations.remember(db, operation, fingerprint, updated)
    return updated


def _disposition(change: StatusIn, outcome: ResolveIn | None) -> ResolveIn | None:
    """The outcome a close records: `/resolve`'s, else the one the status change names, else
    false_alarm for a false alarm. Every close needs one (`_check_move`)."""
    if outcome is not None or change.status not in CLOSED:
        return outcome
    if change.outcome is not None:
        return ResolveIn(outcome=change.outcome, notes=change.note)
    if change.status is IncidentStatus.FALSE_ALARM:
        return ResolveIn(outcome=Outcome.FALSE_ALARM, notes=change.note)
    return None


async def resolve(
    db: Database, clock: HybridClock, incident_id: int, body: ResolveIn, who: Principal
) -> Incident:
    """The status command for a change to ``resolved`` with its outcome."""
    change = StatusIn(
        status=IncidentStatus.RESOLVED,
        op_id=body.op_id,
        device_at=body.device_at,
        note=body.notes,
        plan_override=body.plan_override,
    )
    return await change_status(db, clock, incident_id, change, who, body)


async def add_note(db: Database, incident_id: int, body: NoteIn, who: Principal) -> None:
    """A note on the timeline; a dispatcher's note also goes to the crew the incident is
    assigned, on its stream (replayed to a tablet that was offline, like every event)."""
    async with db.write():
        incident = await _locked(db, incident_id)
        _check_actor(incident, who)
        entry = await record(
            db,
            EntryFacts(
                incident_id=incident_id,
                at=_now(),
                actor=who.actor,
                kind="note",
                data={"text": body.text},
            ),
        )
        if incident.crew_id is not None and who.role is not Role.CREW:
            note = NoteEvent(
                incident_id=incident_id,
                entry_id=entry.id,
                text=body.text,
                at=entry.at,
                actor=who.name,
            )
            await outbox.append(db, crew_stream(incident.crew_id), "note", note)


async def record_delivery(db: Database, who: Principal, seq: int) -> bool:
    """A tablet's `ack` of event `seq` on its crew stream; True if it added a receipt."""
    if who.crew_id is None:
        return False
    stream = crew_stream(who.crew_id)
    event = await outbox.read_one(db, stream, seq)
    if event is None or event.type != "dispatch":
        return False
    sent = msgspec.json.decode(event.data, type=DispatchEvent)
    key = f"{stream}:{seq}:{who.token_id}"
    async with db.write():
        inserted = await db.fetch(
            "INSERT INTO receipts (key, created_at) VALUES ({}, {}) "
            "ON CONFLICT (key) DO NOTHING RETURNING key",
            key,
            _now(),
        )
        if not inserted:
            return False
        await _locked(db, sent.incident.id)
        await record(
            db,
            EntryFacts(
                incident_id=sent.incident.id,
                at=_now(),
                actor=who.actor,
                kind="delivered",
                data={"seq": seq, "dispatch_id": sent.dispatch_id, "tablet": who.name},
            ),
        )
    return True


async def require(db: Database, incident_id: int) -> Incident:
    incident = await repository.find(db, incident_id)
    if incident is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return incident
