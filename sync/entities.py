"""The entities crews write offline, as the fields a mutation may carry.

Upserts carry only the fields being set: a field left ``UNSET`` is not touched. Collections
(notes, persons involved, detentions, crew status changes) are their own rows with
client-generated ids, written once and voided, never edited (sync/schema.py says which rule
each field follows). Recording metadata lives in sync/recordings.py.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Final

import msgspec
from msgspec import UNSET, Meta, UnsetType

from sync.lattices import IncidentStatus, ReportStatus

MAX_NARRATIVE_CHARS: Final = 20_000
MAX_NOTE_CHARS: Final = 4_000
MAX_NAME_CHARS: Final = 200
MAX_LINKED_ALERTS: Final = 100

Narrative = Annotated[str, Meta(max_length=MAX_NARRATIVE_CHARS)]
NoteBody = Annotated[str, Meta(min_length=1, max_length=MAX_NOTE_CHARS)]
ShortText = Annotated[str, Meta(max_length=MAX_NAME_CHARS)]
AwareDatetime = Annotated[datetime, Meta(tz=True)]
AlertIds = Annotated[list[uuid.UUID], Meta(max_length=MAX_LINKED_ALERTS)]


class EntityKind(enum.StrEnum):
    """Every kind of row that syncs."""

    INCIDENT = "incident"
    INCIDENT_REPORT = "incident_report"
    REPORT_NOTE = "report_note"
    REPORT_PERSON = "report_person"
    DETENTION = "detention"
    CREW_STATUS = "crew_status"
    RECORDING = "recording"


class Outcome(enum.StrEnum):
    """The outcome the city publishes statistics on (DESIGN §4)."""

    CRIME_PREVENTED = "crime_prevented"
    PERSONS_DETAINED = "persons_detained"
    ADMINISTRATIVE_VIOLATION = "administrative_violation"
    CRIME_SOLVED = "crime_solved"
    FALSE_ALARM = "false_alarm"
    MEDICAL = "medical"
    OTHER = "other"


class PersonRole(enum.StrEnum):
    """How a person is involved in an incident."""

    SUSPECT = "suspect"
    VICTIM = "victim"
    WITNESS = "witness"
    OTHER = "other"


class IncidentFields(msgspec.Struct, frozen=True, kw_only=True):
    """A server incident as devices see it; only the server writes it (sync/schema.py)."""

    status: IncidentStatus
    crew_id: uuid.UUID | None = None
    outcome: Outcome | None = None


class IncidentReportFields(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of an incident report an upsert may set; the rest are left alone."""

    incident_id: uuid.UUID | UnsetType = UNSET
    crew_id: uuid.UUID | UnsetType = UNSET
    narrative: Narrative | UnsetType = UNSET
    outcome: Outcome | UnsetType | None = UNSET
    status: ReportStatus | UnsetType = UNSET
    linked_alert_ids: AlertIds | UnsetType = UNSET


class ReportNoteFields(msgspec.Struct, frozen=True, kw_only=True):
    """A note appended to a report; written once."""

    report_id: uuid.UUID
    author_id: uuid.UUID
    body: NoteBody
    written_at: AwareDatetime


class ReportPersonFields(msgspec.Struct, frozen=True, kw_only=True):
    """A person involved in the incident a report describes; written once."""

    report_id: uuid.UUID
    role: PersonRole
    full_name: ShortText = ""
    birth_year: Annotated[int, Meta(ge=1900, le=2100)] | None = None
    document_ref: ShortText = ""
    description: NoteBody | None = None


class DetentionFields(msgspec.Struct, frozen=True, kw_only=True):
    """A detention of a person involved; written once."""

    report_id: uuid.UUID
    person_id: uuid.UUID
    detained_at: AwareDatetime
    grounds: ShortText
    handed_to: ShortText = ""


class CrewStatusFields(msgspec.Struct, frozen=True, kw_only=True):
    """A crew's status change made on the tablet, with the tablet's own clock reading.

    It is kept as an event row for the incident timeline; the server moves the incident (its
    lifecycle may refuse) and writes the incident's synced state itself. A change to
    ``resolved`` carries its ``outcome``: the server refuses a resolve without one.
    """

    incident_id: uuid.UUID
    crew_id: uuid.UUID
    status: IncidentStatus
    device_time: AwareDatetime
    lat: Annotated[float, Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, Meta(ge=-180, le=180)] | None = None
    outcome: Outcome | UnsetType = UNSET
