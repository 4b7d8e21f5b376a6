"""Which merge rule each field of each entity follows: the one table the merge reads.

=================  ==============================================================
rule               meaning
=================  ==============================================================
``LWW``            last writer wins by (HLC, device id); a concurrent loser is kept
``IMMUTABLE``      set once; a later *different* value is rejected
``SET_ONCE``       set once by the server; later values are ignored
``GROW_SET``       a list of ids merged by union (links that are only ever added)
``REPORT_STATUS``  a status lattice (sync/lattices.py): the higher rank wins
=================  ==============================================================

Append-only rows (notes, persons, detentions, crew status changes) are all ``IMMUTABLE`` apart
from ``voided``. An incident is the server's: only the server writes it, each write stamped
after the stamps it replaces, so its fields follow ``LWW`` and show the server's latest state,
a re-dispatch that moves the status back included. Every entity has ``voided``: a delete is a
void, an LWW flag that only the void/restore mutations write, so an edit never brings a voided
row back.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import msgspec

from sync.entities import (
    CrewStatusFields,
    DetentionFields,
    EntityKind,
    IncidentFields,
    ReportNoteFields,
    ReportPersonFields,
)
from sync.lattices import Lattice
from sync.recordings import RecordingCurated, RecordingFacts


class Rule(enum.Enum):
    """How concurrent writes to one field combine."""

    LWW = "lww"
    IMMUTABLE = "immutable"
    SET_ONCE = "set_once"
    GROW_SET = "grow_set"
    REPORT_STATUS = "report_status"


LATTICE_OF: Final[Mapping[Rule, Lattice]] = MappingProxyType(
    {Rule.REPORT_STATUS: Lattice.REPORT_STATUS}
)

VOIDED: Final = "voided"
SERVER_RECEIVED_AT_MS: Final = "server_received_at_ms"
CLOCK_OFFSET_MS: Final = "clock_offset_ms"
VERIFIED_SHA256: Final = "verified_sha256"
"""Set by the server once the uploaded file's SHA-256 matched: only then may a station delete it."""


def _all(struct: type[msgspec.Struct], rule: Rule) -> dict[str, Rule]:
    return {field.name: rule for field in msgspec.structs.fields(struct)}


def _append_only(struct: type[msgspec.Struct]) -> Mapping[str, Rule]:
    return MappingProxyType({**_all(struct, Rule.IMMUTABLE), VOIDED: Rule.LWW})


FIELD_RULES: Final[Mapping[EntityKind, Mapping[str, Rule]]] = MappingProxyType(
    {
        EntityKind.INCIDENT: MappingProxyType({**_all(IncidentFields, Rule.LWW), VOIDED: Rule.LWW}),
        EntityKind.INCIDENT_REPORT: MappingProxyType(
            {
                "incident_id": Rule.IMMUTABLE,
                "crew_id": Rule.IMMUTABLE,
                "narrative": Rule.LWW,
                "outcome": Rule.LWW,
                "status": Rule.REPORT_STATUS,
                "linked_alert_ids": Rule.GROW_SET,
                VOIDED: Rule.LWW,
            }
        ),
        EntityKind.REPORT_NOTE: _append_only(ReportNoteFields),
        EntityKind.REPORT_PERSON: _append_only(ReportPersonFields),
        EntityKind.DETENTION: _append_only(DetentionFields),
        EntityKind.CREW_STATUS: _append_only(CrewStatusFields),
        EntityKind.RECORDING: MappingProxyType(
            {
                **_all(RecordingFacts, Rule.IMMUTABLE),
                **_all(RecordingCurated, Rule.LWW),
                SERVER_RECEIVED_AT_MS: Rule.SET_ONCE,
                CLOCK_OFFSET_MS: Rule.SET_ONCE,
                VERIFIED_SHA256: Rule.SET_ONCE,
                VOIDED: Rule.LWW,
            }
        ),
    }
)
