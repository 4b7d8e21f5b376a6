"""What the review routes return and read: conflicts, rejected mutations, devices."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import msgspec


class ConflictStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Keep(enum.StrEnum):
    """Which value a dispatcher keeps: the current winner, or the losing one restored."""

    WINNER = "winner"
    LOSER = "loser"


class ConflictOut(msgspec.Struct, frozen=True, kw_only=True):
    """A value that lost to a concurrent write, with the value that won."""

    id: int
    entity: str
    entity_id: uuid.UUID
    field: str
    losing_value: Any
    losing_hlc: int
    losing_device: uuid.UUID
    winning_value: Any
    winning_hlc: int
    winning_device: uuid.UUID
    mutation_id: uuid.UUID
    status: ConflictStatus
    resolution: Keep | None
    resolved_by: str | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime


class ResolveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    keep: Keep


class RejectedOut(msgspec.Struct, frozen=True, kw_only=True):
    """A mutation refused for good; the device keeps it in its rejected inbox too."""

    device_id: uuid.UUID
    owner: str
    client_seq: int
    mutation_id: uuid.UUID
    code: str
    reason: str
    created_at: dt.datetime


class DeviceOut(msgspec.Struct, frozen=True, kw_only=True):
    """A syncing device, with its clock's offset from the server's at its last push."""

    device_id: uuid.UUID
    owner: str
    last_seq: int
    schema_version: int
    clock_offset_ms: int
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
