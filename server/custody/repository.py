"""The custody log: append-only and hash-chained per recording (server/chain_log.py); the hash
covers exactly the fields of `CustodyFacts`.

Writes: custody
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from server.chain import canonical_json
from server.chain_log import ChainLog, ChainSpec
from server.custody.schemas import CustodyCheck, CustodyEntry, CustodyFacts
from server.db import Database

__all__ = ["CHAIN", "append", "canonical_json", "entries", "recordings_with_custody", "verify"]

CHAIN: Final = ChainLog(
    ChainSpec(table="custody", key="recording_id", json_columns=frozenset({"data"})),
    CustodyFacts,
    CustodyEntry,
)


async def append(db: Database, facts: CustodyFacts) -> CustodyEntry:
    """Must run inside `db.write()`."""
    return await CHAIN.append(db, facts)


async def entries(db: Database, recording_id: str) -> list[CustodyEntry]:
    return await CHAIN.entries(db, recording_id)


async def recordings_with_custody(db: Database) -> list[str]:
    rows = await db.fetch("SELECT DISTINCT recording_id FROM custody ORDER BY recording_id")
    return [str(row["recording_id"]) for row in rows]


def verify(recording_id: str, chain: Sequence[CustodyEntry]) -> CustodyCheck:
    bad = CHAIN.first_break(chain)
    if bad is None:
        return CustodyCheck(recording_id=recording_id, entries=len(chain), intact=True)
    return CustodyCheck(
        recording_id=recording_id,
        entries=len(chain),
        intact=False,
        first_bad_entry_id=bad,
        problem="a row was edited, removed or reordered",
    )
