"""The outbox: every event a socket will ever see is a row written in the same transaction as the
change it describes, numbered per stream.

Why not an auto-increment id: on PostgreSQL two transactions can take ids 7 and 8 and commit 8
first, so a reader that saw 8 would skip 7 for ever. Here the number comes from `stream_heads`,
whose row is locked by the UPDATE until commit, so per stream the order of numbers is the order
of commits. Streams: `dispatch` (everything a dispatcher sees) and `crew:<id>` (one crew's tablet).

Writes: outbox, stream_heads, posbon_meta
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Final

import msgspec

from server.db import Database

DISPATCH_STREAM: Final = "dispatch"
_encoder = msgspec.json.Encoder()


def crew_stream(crew_id: int) -> str:
    return f"crew:{crew_id}"


class StoredEvent(msgspec.Struct, frozen=True):
    seq: int
    type: str
    data: str

    def wire(self) -> str:
        """The message as sent: `type` first, the stored JSON spliced in unparsed."""
        return f'{{"type":"{self.type}","seq":{self.seq},"data":{self.data}}}'


async def append(db: Database, stream: str, event_type: str, data: Any) -> int:
    """Add an event to `stream`; must run inside `db.write()`. Returns its sequence number."""
    head = await db.fetch_one(
        "INSERT INTO stream_heads (stream, last_seq) VALUES ({}, 1) "
        "ON CONFLICT (stream) DO UPDATE SET last_seq = stream_heads.last_seq + 1 "
        "RETURNING last_seq",
        stream,
    )
    assert head is not None
    seq = int(head["last_seq"])
    await db.fetch(
        "INSERT INTO outbox (stream, seq, type, data, created_at) VALUES ({}, {}, {}, {}, {})",
        stream,
        seq,
        event_type,
        _encoder.encode(data).decode(),
        dt.datetime.now(dt.UTC),
    )
    db.touch(stream)
    return seq


async def head(db: Database, stream: str) -> int:
    row = await db.fetch_one("SELECT last_seq FROM stream_heads WHERE stream = {}", stream)
    return 0 if row is None else int(row["last_seq"])


async def heads(db: Database) -> dict[str, int]:
    rows = await db.fetch("SELECT stream, last_seq FROM stream_heads")
    return {row["stream"]: int(row["last_seq"]) for row in rows}


async def read_after(db: Database, stream: str, after_seq: int, limit: int) -> list[StoredEvent]:
    rows = await db.fetch(
        "SELECT seq, type, data FROM outbox WHERE stream = {} AND seq > {} ORDER BY seq LIMIT {}",
        stream,
        after_seq,
        limit,
    )
    return [StoredEvent(seq=int(r["seq"]), type=r["type"], data=r["data"]) for r in rows]


async def read_one(db: Database, stream: str, seq: int) -> StoredEvent | None:
    row = await db.fetch_one(
        "SELECT seq, type, data FROM outbox WHERE stream = {} AND seq = {}", stream, seq
    )
    return (
        None
        if row is None
        else StoredEvent(seq=int(row["seq"]), type=row["type"], data=row["data"])
    )


async def oldest(db: Database, stream: str) -> int | None:
    row = await db.fetch_one("SELECT MIN(seq) AS seq FROM outbox WHERE stream = {}", stream)
    return None if row is None or row["seq"] is None else int(row["seq"])


async def epoch(db: Database) -> str:
    """The database's identity: a restored or different database has another epoch."""
    row = await db.fetch_one("SELECT value FROM posbon_meta WHERE key = {}", "epoch")
    if row is not None:
        return str(row["value"])
    value = uuid.uuid4().hex
    async with db.write():
        await db.fetch(
            "INSERT INTO posbon_meta (key, value) VALUES ({}, {}) ON CONFLICT (key) DO NOTHING",
            "epoch",
            value,
        )
    row = await db.fetch_one("SELECT value FROM posbon_meta WHERE key = {}", "epoch")
    assert row is not None
    return str(row["value"])
