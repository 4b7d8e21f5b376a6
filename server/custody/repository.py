"""The custody log: append-only and hash-chained per recording (see server/chain.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from server.chain import GENESIS_HASH, canonical_json, link_hash, utc_text

__all__ = ["canonical_json", "entries", "entry_hash", "recordings_with_custody", "verify"]
from server.custody.schemas import CustodyCheck, CustodyEntry, CustodyFacts
from server.db import Database


def entry_hash(prev_hash: str, facts: CustodyFacts) -> str:
    return link_hash(
        prev_hash,
        {
            "recording_id": facts.recording_id,
            "at": utc_text(facts.at),
            "actor": facts.actor,
            "kind": facts.kind.value,
            "reason": facts.reason,
            "data": facts.data,
        },
    )


async def append(db: Database, facts: CustodyFacts) -> CustodyEntry:
    """Must run inside `db.write()`, which serializes appends to one recording's chain."""
    last = await db.fetch_one(
        "SELECT hash FROM custody WHERE recording_id = {} ORDER BY id DESC LIMIT 1",
        facts.recording_id,
    )
    prev_hash = GENESIS_HASH if last is None else str(last["hash"])
    digest = entry_hash(prev_hash, facts)
    rows = await db.fetch(
        "INSERT INTO custody (recording_id, at, actor, kind, reason, data, prev_hash, hash) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
        facts.recording_id,
        facts.at,
        facts.actor,
        facts.kind.value,
        facts.reason,
        canonical_json(facts.data),
        prev_hash,
        digest,
    )
    return CustodyEntry(
        id=int(rows[0]["id"]), prev_hash=prev_hash, hash=digest, **msgspec.structs.asdict(facts)
    )


def _to_entry(row: dict[str, Any]) -> CustodyEntry:
    return msgspec.convert(
        {**row, "data": msgspec.json.decode(row["data"])}, CustodyEntry, strict=False
    )


async def entries(db: Database, recording_id: str) -> list[CustodyEntry]:
    rows = await db.fetch(
        "SELECT id, recording_id, at, actor, kind, reason, data, prev_hash, hash FROM custody "
        "WHERE recording_id = {} ORDER BY id",
        recording_id,
    )
    return [_to_entry(row) for row in rows]


async def recordings_with_custody(db: Database) -> list[str]:
    rows = await db.fetch("SELECT DISTINCT recording_id FROM custody ORDER BY recording_id")
    return [str(row["recording_id"]) for row in rows]


def verify(recording_id: str, chain: Sequence[CustodyEntry]) -> CustodyCheck:
    prev_hash = GENESIS_HASH
    for entry in chain:
        facts = CustodyFacts(
            recording_id=entry.recording_id,
            at=entry.at,
            actor=entry.actor,
            kind=entry.kind,
            reason=entry.reason,
            data=entry.data,
        )
        if entry.prev_hash != prev_hash or entry_hash(prev_hash, facts) != entry.hash:
            return CustodyCheck(
                recording_id=recording_id,
                entries=len(chain),
                intact=False,
                first_bad_entry_id=entry.id,
                problem="a row was edited, removed or reordered",
            )
        prev_hash = entry.hash
    return CustodyCheck(recording_id=recording_id, entries=len(chain), intact=True)
