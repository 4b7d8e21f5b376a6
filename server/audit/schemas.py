"""What one audit entry holds, as it is hashed (`AuditFacts`), stored (`AuditEntry`) and shown
(`AuditOut`); and the head that vouches for the log's end (`AuditHead`).

`before` and `after` are stored and hashed as canonical JSON *text*: the hash covers exactly the
bytes in the row, whatever an engine would make of a JSON value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from server.chain import GENESIS_HASH


class AuditFacts(msgspec.Struct, frozen=True, kw_only=True):
    """The fields a link's hash covers."""

    at: dt.datetime
    actor: str
    actor_token_id: int | None
    user_id: int | None
    role: str
    action: str
    target: str
    outcome: str
    address: str
    before: str
    """Canonical JSON text ("null" when there was nothing before)."""
    after: str
    detail: str


class AuditEntry(AuditFacts, frozen=True, kw_only=True):
    id: int
    prev_hash: str
    hash: str


class AuditHead(msgspec.Struct, frozen=True, kw_only=True):
    """The one row of `audit_head`: the newest entry (id, hash), how many entries the log holds,
    and the anchor: the newest entry that retention removed (id 0 and the genesis hash when none
    was), whose hash the oldest kept entry must link to."""

    last_id: int = 0
    last_hash: str = GENESIS_HASH
    entries: int = 0
    anchor_id: int = 0
    anchor_hash: str = GENESIS_HASH


class AuditOut(msgspec.Struct, frozen=True, kw_only=True):
    """An entry as an admin reads it (GET /api/v1/audit)."""

    id: int
    at: dt.datetime
    actor: str
    actor_token_id: int | None
    user_id: int | None
    role: str
    action: str
    target: str
    outcome: str
    address: str
    before: Any
    after: Any
    detail: str
    hash: str


class AuditCheck(msgspec.Struct, frozen=True, kw_only=True):
    """The result of walking the whole chain (`posbon audit verify`)."""

    entries: int
    intact: bool
    first_bad_entry_id: int | None = None
    problem: str = ""
