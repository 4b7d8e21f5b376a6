"""The incident timeline: append-only and hash-chained per incident (server/chain_log.py).

Each entry's hash covers the previous entry's hash and exactly the fields of `EntryFacts`, so
editing, reordering or deleting any row breaks every hash after it. Most writers also hold the
incident's row lock, but the chain does not rely on it.

Writes: timeline
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import msgspec

from server.chain_log import ChainLog, ChainSpec
from server.db import Database
from server.incidents.schemas import ChainCheck, TimelineEntry
from sync.lattices import IncidentStatus

__all__ = ["CHAIN", "EntryFacts", "append", "entries", "verify"]


class EntryFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What an entry says; the hash covers exactly these fields, so adding one changes every
    stored hash: a new fact goes into `data`."""

    incident_id: int
    at: dt.datetime
    actor: str
    kind: str
    from_status: IncidentStatus | None = None
    to_status: IncidentStatus | None = None
    device_at: dt.datetime | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)


CHAIN: Final = ChainLog(
    ChainSpec(table="timeline", key="incident_id", json_columns=frozenset({"data"})),
    EntryFacts,
    TimelineEntry,
)


async def append(db: Database, facts: EntryFacts) -> TimelineEntry:
    return await CHAIN.append(db, facts)


async def entries(db: Database, incident_id: int) -> list[TimelineEntry]:
    return await CHAIN.entries(db, incident_id)


def verify(incident_id: int, chain: Sequence[TimelineEntry]) -> ChainCheck:
    bad = CHAIN.first_break(chain)
    return ChainCheck(
        incident_id=incident_id, entries=len(chain), intact=bad is None, first_bad_entry_id=bad
    )
