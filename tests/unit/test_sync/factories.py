"""Small builders for mutations and stamps used across the sync tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sync import hlc
from sync.entities import CrewStatusFields, IncidentReportFields
from sync.lattices import IncidentStatus
from sync.merge import FieldStamp
from sync.messages import SCHEMA_VERSION, PushRequest
from sync.mutations import (
    AnyMutation,
    CrewStatusRecordV1,
    IncidentReportUpsertV1,
    RecordingCreateV1,
)
from sync.recordings import RecordingFacts

BASE_MS = 1_760_000_000_000
DEVICE_A = uuid.UUID(int=0xA)
DEVICE_B = uuid.UUID(int=0xB)
REPORT = uuid.UUID(int=0x1000)
INCIDENT = uuid.UUID(int=0x2000)
CREW = uuid.UUID(int=0x3000)


def ident(n: int) -> uuid.UUID:
    """A readable, deterministic id."""
    return uuid.UUID(int=n)


def stamp(value: object, ms: int, device: uuid.UUID = DEVICE_A, base_hlc: int = 0) -> FieldStamp:
    """A field stamp written at ``BASE_MS + ms``."""
    return FieldStamp(value, hlc.pack(BASE_MS + ms, 0), device, base_hlc)


def upsert(seq: int, narrative: str = "text", *, entity: uuid.UUID = REPORT) -> AnyMutation:
    """An incident report upsert setting its narrative."""
    return IncidentReportUpsertV1(
        mutation_id=ident(0x9000 + seq),
        client_seq=seq,
        hlc=hlc.pack(BASE_MS + seq, 0),
        entity_id=entity,
        fields=IncidentReportFields(narrative=narrative),
    )


def crew_status(seq: int, status: IncidentStatus, at_ms: int = 0) -> AnyMutation:
    """A crew status change on the test incident."""
    return CrewStatusRecordV1(
        mutation_id=ident(0x9000 + seq),
        client_seq=seq,
        hlc=hlc.pack(BASE_MS + at_ms, seq),
        entity_id=ident(0x5000 + seq),
        fields=CrewStatusFields(
            incident_id=INCIDENT,
            crew_id=CREW,
            status=status,
            device_time=datetime.fromtimestamp((BASE_MS + at_ms) / 1000, tz=UTC),
        ),
    )


def recording_facts(sha256: str = "ab" * 32) -> RecordingFacts:
    """The facts of one short recording."""
    start = datetime.fromtimestamp(BASE_MS / 1000, tz=UTC)
    return RecordingFacts(
        device_id=DEVICE_B,
        device_serial="BC-0001",
        recorded_start=start,
        recorded_stop=start,
        duration_s=0.0,
        device_clock_time=start,
        file_name="clip.mp4",
        size_bytes=1024,
        sha256=sha256,
    )


def recording_create(seq: int, recording: uuid.UUID, sha256: str = "ab" * 32) -> AnyMutation:
    """Register a recording."""
    return RecordingCreateV1(
        mutation_id=ident(0x9000 + seq),
        client_seq=seq,
        hlc=hlc.pack(BASE_MS + seq, 0),
        entity_id=recording,
        facts=recording_facts(sha256),
    )


def push(*mutations: AnyMutation, device: uuid.UUID = DEVICE_A, wall_ms: int = 0) -> PushRequest:
    """A push request from ``device`` whose wall clock reads ``BASE_MS + wall_ms``."""
    return PushRequest(
        schema_version=SCHEMA_VERSION,
        device_id=device,
        device_wall_ms=BASE_MS + wall_ms,
        mutations=list(mutations),
    )
