from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import msgspec


class CustodyKind(enum.StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    QUARANTINED = "quarantined"
    VIEWED = "viewed"
    EXPORTED = "exported"
    LINKED = "linked"
    CATEGORY_CHANGED = "category_changed"
    TERMINATED = "terminated"
    COPIED = "copied"  # the verified file was copied to another evidence store
    METADATA_CHANGED = "metadata_changed"  # curated fields changed through sync
    VOIDED = "voided"
    RESTORED = "restored"


class CustodyFacts(msgspec.Struct, frozen=True, kw_only=True):
    recording_id: str
    at: dt.datetime
    actor: str
    kind: CustodyKind
    reason: str
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class CustodyEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    recording_id: str
    at: dt.datetime
    actor: str
    kind: CustodyKind
    reason: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class CustodyCheck(msgspec.Struct, frozen=True, kw_only=True):
    recording_id: str
    entries: int
    intact: bool
    first_bad_entry_id: int | None = None
    problem: str | None = None
