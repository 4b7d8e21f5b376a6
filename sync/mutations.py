"""Mutations: versioned names in one tagged union, and the entity writes each one means.

A mutation's ``name`` (``incident_report.upsert.v1``) is its type tag. A name never changes
meaning: a new meaning gets a new version suffix and both stay decodable while any supported
schema_version still sends the old one. Every mutation carries a client-generated UUIDv7
``mutation_id`` and the device's ``client_seq`` (one more than the device's previous mutation).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, TypeAlias

import msgspec
from msgspec import Meta

from sync.entities import (
    CrewStatusFields,
    DetentionFields,
    EntityKind,
    IncidentReportFields,
    ReportNoteFields,
    ReportPersonFields,
)
from sync.merge import Write
from sync.recordings import RecordingCurated, RecordingFacts
from sync.schema import CLOCK_OFFSET_MS, SERVER_RECEIVED_AT_MS, VOIDED

ClientSeq = Annotated[int, Meta(ge=1)]
Stamp = Annotated[int, Meta(ge=0)]


class Mutation(msgspec.Struct, frozen=True, kw_only=True, tag_field="name"):
    """What every mutation carries."""

    mutation_id: uuid.UUID
    client_seq: ClientSeq
    hlc: Stamp
    entity_id: uuid.UUID


class IncidentReportUpsertV1(Mutation, frozen=True, tag="incident_report.upsert.v1"):
    """Create a report or set some of its fields; ``base`` holds the stamps the writer saw."""

    fields: IncidentReportFields
    base: dict[str, Stamp] = msgspec.field(default_factory=dict)


class ReportNoteAddV1(Mutation, frozen=True, tag="report_note.add.v1"):
    """Append a note to a report."""

    fields: ReportNoteFields


class ReportPersonAddV1(Mutation, frozen=True, tag="report_person.add.v1"):
    """Add a person involved to a report."""

    fields: ReportPersonFields


class DetentionAddV1(Mutation, frozen=True, tag="detention.add.v1"):
    """Record a detention."""

    fields: DetentionFields


class CrewStatusRecordV1(Mutation, frozen=True, tag="crew_status.record.v1"):
    """A crew status change made on the tablet; ``entity_id`` is the change's own id."""

    fields: CrewStatusFields


class RecordingCreateV1(Mutation, frozen=True, tag="recording.create.v1"):
    """Register a body-cam recording: the camera's facts and any curated fields known."""

    facts: RecordingFacts
    curated: RecordingCurated = RecordingCurated()


class RecordingUpdateV1(Mutation, frozen=True, tag="recording.update.v1"):
    """Edit a recording's curated fields."""

    fields: RecordingCurated
    base: dict[str, Stamp] = msgspec.field(default_factory=dict)


class EntityVoidV1(Mutation, frozen=True, tag="entity.void.v1"):
    """Void (never delete) an entity."""

    entity: EntityKind


class EntityRestoreV1(Mutation, frozen=True, tag="entity.restore.v1"):
    """Undo a void; wins only if its stamp is later than the void's."""

    entity: EntityKind


AnyMutation: TypeAlias = (
    IncidentReportUpsertV1
    | ReportNoteAddV1
    | ReportPersonAddV1
    | DetentionAddV1
    | CrewStatusRecordV1
    | RecordingCreateV1
    | RecordingUpdateV1
    | EntityVoidV1
    | EntityRestoreV1
)


class Receipt(msgspec.Struct, frozen=True):
    """What the receiver knows about a mutation beyond its body."""

    device_id: uuid.UUID
    hlc: int  # the mutation's stamp after the server's clamp
    server_now_ms: int
    clock_offset_ms: int


def fields_values(fields: msgspec.Struct) -> dict[str, object]:
    """The fields that are set, as plain JSON values (``UNSET`` ones are left out)."""
    values: dict[str, object] = msgspec.to_builtins(fields)
    return values


def _write(
    receipt: Receipt,
    kind: EntityKind,
    entity_id: uuid.UUID,
    values: Mapping[str, object],
    base: dict[str, int] | None = None,
    *,
    must_exist: bool = False,
) -> Write:
    return Write(
        kind=kind,
        entity_id=entity_id,
        values=dict(values),
        hlc=receipt.hlc,
        device_id=receipt.device_id,
        base=base or {},
        must_exist=must_exist,
    )


def _recording_writes(mutation: RecordingCreateV1, receipt: Receipt) -> list[Write]:
    server_facts: dict[str, object] = {
        SERVER_RECEIVED_AT_MS: receipt.server_now_ms,
        CLOCK_OFFSET_MS: receipt.clock_offset_ms,
    }
    values = {**fields_values(mutation.facts), **fields_values(mutation.curated), **server_facts}
    return [_write(receipt, EntityKind.RECORDING, mutation.entity_id, values)]


def writes_of(mutation: AnyMutation, receipt: Receipt) -> list[Write]:
    """The entity writes a mutation stands for."""
    entity_id = mutation.entity_id
    match mutation:
        case IncidentReportUpsertV1(fields=fields, base=base):
            kind = EntityKind.INCIDENT_REPORT
            return [_write(receipt, kind, entity_id, fields_values(fields), base)]
        case ReportNoteAddV1() | ReportPersonAddV1() | DetentionAddV1():
            kind = _APPEND_KIND[type(mutation)]
            return [_write(receipt, kind, entity_id, fields_values(mutation.fields))]
        case CrewStatusRecordV1(fields=fields):
            # Only the event: the incident itself is the server's to move (sync/schema.py).
            return [_write(receipt, EntityKind.CREW_STATUS, entity_id, fields_values(fields))]
        case RecordingCreateV1():
            return _recording_writes(mutation, receipt)
        case RecordingUpdateV1(fields=fields, base=base):
            kind = EntityKind.RECORDING
            return [_write(receipt, kind, entity_id, fields_values(fields), base, must_exist=True)]
        case EntityVoidV1(entity=kind) | EntityRestoreV1(entity=kind):
            voided = isinstance(mutation, EntityVoidV1)
            return [_write(receipt, kind, entity_id, {VOIDED: voided}, must_exist=True)]


_APPEND_KIND: dict[type[Mutation], EntityKind] = {
    ReportNoteAddV1: EntityKind.REPORT_NOTE,
    ReportPersonAddV1: EntityKind.REPORT_PERSON,
    DetentionAddV1: EntityKind.DETENTION,
}
