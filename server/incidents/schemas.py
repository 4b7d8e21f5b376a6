from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from server.sites.schemas import SiteRef
from server.text import MAX_ID, NO_NUL, Text2000
from sync.entities import Outcome
from sync.lattices import IncidentStatus

Note = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=2000)]


class Incident(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    priority: int
    status: IncidentStatus
    title: str
    site: SiteRef
    crew_id: int | None
    outcome: Outcome | None
    outcome_notes: str
    persons_detained: int
    alert_ids: list[int]
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    crew_name: str | None = None
    proposed_outcome: Outcome | None = None
    """The outcome the crew's synced report proposes; `outcome` is the one a close confirms."""


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    incident_id: int
    at: dt.datetime
    actor: str
    kind: str
    from_status: IncidentStatus | None
    to_status: IncidentStatus | None
    device_at: dt.datetime | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


class DispatchIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    crew_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
    note: Text2000 = ""


OpId = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=8, max_length=64)]
"""A client's idempotency key: one per caller and incident (server/incidents/operations.py)."""


class StatusIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    status: IncidentStatus
    op_id: OpId | None = None
    device_at: dt.datetime | None = None
    note: Text2000 = ""
    outcome: Outcome | None = None
    """The disposition a close needs: required to cancel, false_alarm when a false alarm gives
    none; `/resolve` carries its own."""
    plan_override: Text2000 = ""
    """Why a close goes ahead with required action-plan steps still open (server/plans); put on
    the timeline. Empty: such a close is refused (409 plan_steps_open)."""


class ResolveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    outcome: Outcome
    notes: Text2000 = ""
    persons_detained: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0
    op_id: OpId | None = None
    device_at: dt.datetime | None = None
    plan_override: Text2000 = ""
    """As in `StatusIn`: the reason to close with required action-plan steps open."""


class NoteIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    text: Note


class CrewSuggestion(msgspec.Struct, frozen=True, kw_only=True):
    crew_id: int
    name: str
    distance_m: float
    eta_s: float
    eta_source: Literal["road", "estimate"]
    position_age_s: float | None
    reason: str


class ChainCheck(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: int
    entries: int
    intact: bool
    first_bad_entry_id: int | None = None


class NoteEvent(msgspec.Struct, frozen=True, kw_only=True):
    """What a crew's tablet receives when a dispatcher adds a note to its incident."""

    incident_id: int
    entry_id: int
    text: str
    at: dt.datetime
    actor: str
