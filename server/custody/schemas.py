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
    # Evidence management (server/evidence)
    RETENTION_CHANGED = "retention_changed"  # category assigned or changed, with the reason
    RETENTION_CONFIRMED = "retention_confirmed"  # a second person confirmed a shorter category
    HOLD_PLACED = "hold_placed"
    HOLD_RELEASED = "hold_released"
    DELETED = "deleted"  # the bytes were deleted at the end of retention; metadata kept
    DERIVED = "derived"  # a derivative (a redacted copy) was made from this recording
    SHARED = "shared"  # a share link for an outside party was created
    SHARE_REVOKED = "share_revoked"
    SHARE_ACCESSED = "share_accessed"  # someone used a share link (with their address)


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
    file_deleted_at: dt.datetime | None = None
    """When retention deleted the file (the log's DELETED entry says why): not a problem."""
