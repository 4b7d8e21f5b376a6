from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import msgspec


class CustodyKind(enum.StrEnum):
    received = "received"
    verified = "verified"
    quarantined = "quarantined"
    viewed = "viewed"
    exported = "exported"
    linked = "linked"
    category_changed = "category_changed"
    terminated = "terminated"
    copied = "copied"  # the verified file was copied to another evidence store
    metadata_changed = "metadata_changed"  # curated fields changed through sync
    voided = "voided"
    restored = "restored"


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
