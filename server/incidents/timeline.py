"""The incident timeline: append-only and hash-chained per incident.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON encoding of the
entry's own facts, so editing, reordering or deleting any row breaks every hash after it. The
caller holds the incident's row lock (or SQLite's write lock), so two writers cannot both extend
the same tail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec

from server.chain import GENESIS_HASH, canonical_json, link_hash, utc_text
from server.db import Database
from server.incidents.lifecycle import Status
from server.incidents.schemas import ChainCheck, TimelineEntry

__all__ = ["GENESIS_HASH", "EntryFacts", "append", "entries", "entry_hash", "verify"]


class EntryFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What an entry says; the hash covers exactly these fields."""

    incident_id: int
    at: dt.datetime
    actor: str
    kind: str
    from_status: Status | None = None
    to_status: Status | None = None
    device_at: dt.datetime | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)


def entry_hash(prev_hash: str, facts: EntryFacts) -> str:
    return link_hash(
        prev_hash,
        {
            "incident_id": facts.incident_id,
            "at": utc_text(facts.at),
            "actor": facts.actor,
            "kind": facts.kind,
            "from_status": facts.from_status,
            "to_status": facts.to_status,
            "device_at": utc_text(facts.device_at),
            "data": facts.data,
        },
    )


async def append(db: Database, facts: EntryFacts) -> TimelineEntry:
    last = await db.fetch_one(
        "SELECT hash FROM timeline WHERE incident_id = {} ORDER BY id DESC LIMIT 1",
        facts.incident_id,
    )
    prev_hash = GENESIS_HASH if last is None else str(last["hash"])
    digest = entry_hash(prev_hash, facts)
    rows = await db.fetch(
        "INSERT INTO timeline (incident_id, at, actor, kind, from_status, to_status, device_at, "
        "data, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
        facts.incident_id,
        facts.at,
        facts.actor,
        facts.kind,
        facts.from_status,
        facts.to_status,
        facts.device_at,
        canonical_json(facts.data),
        prev_hash,
        digest,
    )
    return TimelineEntry(
        id=int(rows[0]["id"]),
        prev_hash=prev_hash,
        hash=digest,
        **msgspec.structs.asdict(facts),
    )


def _to_entry(row: dict[str, Any]) -> TimelineEntry:
    data = row["data"]
    return msgspec.convert(
        {**row, "data": msgspec.json.decode(data) if isinstance(data, str | bytes) else data},
        TimelineEntry,
        strict=False,
    )


async def entries(db: Database, incident_id: int) -> list[TimelineEntry]:
    rows = await db.fetch(
        "SELECT id, incident_id, at, actor, kind, from_status, to_status, device_at, data, "
        "prev_hash, hash FROM timeline WHERE incident_id = {} ORDER BY id",
        incident_id,
    )
    return [_to_entry(row) for row in rows]


def verify(incident_id: int, chain: Sequence[TimelineEntry]) -> ChainCheck:
    prev_hash = GENESIS_HASH
    for entry in chain:
        facts = EntryFacts(
            incident_id=entry.incident_id,
            at=entry.at,
            actor=entry.actor,
            kind=entry.kind,
            from_status=entry.from_status,
            to_status=entry.to_status,
            device_at=entry.device_at,
            data=entry.data,
        )
        if entry.prev_hash != prev_hash or entry_hash(prev_hash, facts) != entry.hash:
            return ChainCheck(
                incident_id=incident_id,
                entries=len(chain),
                intact=False,
                first_bad_entry_id=entry.id,
            )
        prev_hash = entry.hash
    return ChainCheck(incident_id=incident_id, entries=len(chain), intact=True)
