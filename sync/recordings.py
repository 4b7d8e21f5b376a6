"""Body-cam recording metadata (fields from reference offline-sync.md §5).

Facts the camera measured (hash, times, device, GPS track …) are immutable once created: a
later, different value is rejected, never merged. Curated fields (title, tags, case links …)
are last-writer-wins. Server-side fields (ingest hash, upload state, retention) are set by the
server's own code, never by a device, so they do not appear here.
"""

from __future__ import annotations

import enum
import uuid
from typing import Annotated, Final

import msgspec
from msgspec import UNSET, Meta, UnsetType

from sync.entities import AwareDatetime, ShortText

MAX_TITLE_CHARS: Final = 200
MAX_EVIDENCE_REF_CHARS: Final = 75
MAX_DESCRIPTION_CHARS: Final = 10_000
MAX_GPS_POINTS: Final = 100_000
MAX_LABELS: Final = 50

Sha256Hex = Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
Label = Annotated[str, Meta(min_length=1, max_length=64)]
Labels = Annotated[list[Label], Meta(max_length=MAX_LABELS)]


class ActivationTrigger(enum.StrEnum):
    """What started the recording."""

    MANUAL = "manual"
    HOLSTER = "holster"
    VEHICLE = "vehicle"
    SIREN = "siren"
    REMOTE = "remote"
    OTHER = "other"


class Derivation(enum.StrEnum):
    """How a derived recording was made from its original."""

    CLIP = "clip"
    REDACTION = "redaction"


class AccessClass(enum.StrEnum):
    """Who may see a recording."""

    NORMAL = "normal"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"


class GpsPoint(msgspec.Struct, frozen=True, array_like=True):
    """One track point: device time in Unix ms, WGS84 degrees, accuracy in metres."""

    t_ms: int
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    accuracy_m: Annotated[float, Meta(ge=0)] | None = None


class RecordingFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the camera measured; immutable after creation."""

    device_id: uuid.UUID
    device_serial: ShortText
    device_model: ShortText = ""
    firmware_version: ShortText = ""
    recorded_start: AwareDatetime
    recorded_stop: AwareDatetime
    duration_s: Annotated[float, Meta(ge=0)]
    timezone: ShortText = "UTC"
    pre_event_buffer_s: Annotated[float, Meta(ge=0)] = 0.0
    post_event_s: Annotated[float, Meta(ge=0)] = 0.0
    activation_trigger: ActivationTrigger = ActivationTrigger.MANUAL
    device_clock_time: AwareDatetime
    gps_track: Annotated[list[GpsPoint], Meta(max_length=MAX_GPS_POINTS)] = msgspec.field(
        default_factory=list
    )
    file_name: ShortText
    container: ShortText = ""
    codec: ShortText = ""
    resolution: ShortText = ""
    fps: Annotated[float, Meta(ge=0)] | None = None
    size_bytes: Annotated[int, Meta(ge=0)]
    sha256: Sha256Hex
    hash_algo: ShortText = "sha256"
    power_loss_recovered: bool = False
    derived_from_id: uuid.UUID | None = None
    derivation: Derivation | None = None


class RecordingCurated(msgspec.Struct, frozen=True, kw_only=True):
    """What people may edit later; last writer wins and the loser is kept."""

    officer_id: uuid.UUID | UnsetType | None = UNSET
    incident_id: uuid.UUID | UnsetType | None = UNSET
    title: Annotated[str, Meta(max_length=MAX_TITLE_CHARS)] | UnsetType = UNSET
    description: Annotated[str, Meta(max_length=MAX_DESCRIPTION_CHARS)] | UnsetType = UNSET
    evidence_ref: Annotated[str, Meta(max_length=MAX_EVIDENCE_REF_CHARS)] | UnsetType = UNSET
    tags: Labels | UnsetType = UNSET
    categories: Labels | UnsetType = UNSET
    case_ids: Annotated[list[uuid.UUID], Meta(max_length=MAX_LABELS)] | UnsetType = UNSET
    access_class: AccessClass | UnsetType = UNSET
