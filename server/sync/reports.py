"""A crew's incident report as the dispatcher reads it: the merged state its tablets' pushes
produced, and a `report` event on the dispatch stream whenever a push changes it.

A report (`incident_report`), the persons it names (`report_person`) and their detentions
(`detention`) are synced entities in their incident's scope (server/sync/scopes.py). The
dispatcher's incident view reads them as one document (`GET /api/v1/incidents/{id}/report`) and
refetches it on the event, which the push writes in its own transaction: the view never shows
a report that did not commit, and a committed one is never missed. Voided rows are left out.

The outcome a changed report proposes goes to the listeners a domain registered
(server/sync/push_rules.py; the incidents keep it as the incident's `proposed_outcome`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, Final

import msgspec

from server.db import Database
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.sync.scopes import Lookup, incident_scope, incidents_named
from sync import hlc
from sync.entities import EntityKind, Outcome
from sync.merge import EntityState, FieldStamp
from sync.messages import Applied
from sync.rules import PushPlan
from sync.schema import CLOCK_OFFSET_MS, SERVER_RECEIVED_AT_MS, VOIDED

REPORT_KINDS: Final = frozenset(
    {
        EntityKind.INCIDENT_REPORT,
        EntityKind.REPORT_NOTE,
        EntityKind.REPORT_PERSON,
        EntityKind.DETENTION,
    }
)
_READ_KINDS: Final = (EntityKind.INCIDENT_REPORT, EntityKind.REPORT_PERSON, EntityKind.DETENTION)
_FIELDS: Final = msgspec.json.Decoder(dict[str, FieldStamp])
_HIDDEN: Final = frozenset({VOIDED, "report_id", CLOCK_OFFSET_MS, SERVER_RECEIVED_AT_MS})
"""Fields of the sync bookkeeping, not of what the crew wrote."""


class ReportEvent(msgspec.Struct, frozen=True):
    incident_id: int


class IncidentReport(msgspec.Struct, frozen=True, kw_only=True):
    """The crew's report on one incident, merged from every push so far."""

    incident_id: int
    narrative: str = ""
    outcome: Outcome | None = None
    persons: list[dict[str, Any]] = msgspec.field(default_factory=list)
    detentions: list[dict[str, Any]] = msgspec.field(default_factory=list)
    updated_at: dt.datetime | None = None


class ReportChanges(msgspec.Struct, frozen=True, kw_only=True):
    """What one push changed: the incidents whose report (or its notes, persons, detentions)
    changed, and the outcome each changed report now proposes (only where its outcome was
    written)."""

    incidents: frozenset[int]
    proposed: dict[int, Outcome | None]


def _values(state: EntityState) -> dict[str, Any]:
    return {name: stamp.value for name, stamp in state.fields.items()}


def _latest_ms(states: Iterable[EntityState]) -> int | None:
    stamps = [stamp.hlc for state in states for stamp in state.fields.values()]
    return max((hlc.unpack(stamp)[0] for stamp in stamps), default=None)


def _row(state: EntityState) -> dict[str, Any]:
    values = {k: v for k, v in _values(state).items() if k not in _HIDDEN}
    return {"id": str(state.entity_id), **values}


def _outcome(value: object) -> Outcome | None:
    try:
        return None if value is None else Outcome(str(value))
    except ValueError:
        return None


def merge(incident_id: int, states: list[EntityState]) -> IncidentReport:
    """One document from an incident's report rows (voided rows left out); with two reports,
    the one written last gives the narrative and outcome."""
    live = [state for state in states if not _values(state).get(VOIDED)]
    reports = [state for state in live if state.kind is EntityKind.INCIDENT_REPORT]
    report_ids = {str(state.entity_id) for state in reports}
    children = [s for s in live if str(_values(s).get("report_id")) in report_ids]
    latest = max(reports, key=lambda state: _latest_ms([state]) or 0, default=None)
    values = {} if latest is None else _values(latest)
    updated_ms = _latest_ms([*reports, *children])
    return IncidentReport(
        incident_id=incident_id,
        narrative=str(values.get("narrative") or ""),
        outcome=_outcome(values.get("outcome")),
        persons=[_row(s) for s in children if s.kind is EntityKind.REPORT_PERSON],
        detentions=[_row(s) for s in children if s.kind is EntityKind.DETENTION],
        updated_at=None
        if updated_ms is None
        else dt.datetime.fromtimestamp(updated_ms / 1000, dt.UTC),
    )


async def read(db: Database, incident_id: int) -> IncidentReport:
    """The merged report of an incident (empty when no crew has synced one yet)."""
    kinds = ", ".join(f"'{kind.value}'" for kind in _READ_KINDS)
    rows = await db.fetch(
        "SELECT e.kind, e.entity_id, e.fields FROM sync_members m JOIN sync_entities e "  # noqa: S608
        "ON e.entity_id = m.entity_id AND e.kind = m.kind "
        f"WHERE m.scope = {{}} AND m.kind IN ({kinds}) ORDER BY e.entity_id",
        incident_scope(incident_id),
    )
    states = [
        EntityState(
            EntityKind(row["kind"]), uuid.UUID(row["entity_id"]), _FIELDS.decode(row["fields"])
        )
        for row in rows
    ]
    return merge(incident_id, states)


def changed_by(plan: PushPlan, results: Iterable[object], lookup: Lookup) -> ReportChanges:
    """The report changes of an applied push (`results` in the plan's order of steps)."""
    incidents: set[int] = set()
    proposed: dict[int, Outcome | None] = {}
    for step, result in zip(plan.steps, results, strict=True):
        if not isinstance(result, Applied) or not result.server_seq:
            continue  # rejected, a retry, or a write that changed nothing
        for write in step.writes:
            if write.kind not in REPORT_KINDS:
                continue
            named = incidents_named(lookup, write.kind, write.entity_id, {})
            incidents |= named
            state = lookup(write.kind, write.entity_id)
            if write.kind is EntityKind.INCIDENT_REPORT and "outcome" in write.values and state:
                proposed |= dict.fromkeys(named, _outcome(_values(state).get("outcome")))
    return ReportChanges(incidents=frozenset(incidents), proposed=proposed)


async def announce(db: Database, changes: ReportChanges) -> None:
    """Tell the dispatchers which incidents' reports changed; inside the push's transaction."""
    for incident_id in sorted(changes.incidents):
        await outbox.append(db, DISPATCH_STREAM, "report", ReportEvent(incident_id))
