"""The audit_log table and its head: append, read (filtered, newest first), walk, trim.

One chain for the whole log. Appending locks the head row (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` already admits one writer), inserts the entry linked to
the head's hash and moves the head: three statements per audited write. A row lock suits here
where server/chain_log.py needs an advisory lock: the head row always exists, and under READ
COMMITTED a writer that waited for it reads the head as the writer before it left it.

The head is what makes the *end* of the log checkable: a plain chain cannot tell that its last
row was deleted. Retention deletes the oldest rows and moves the anchor (the newest removed
entry's id and hash) in the same transaction, so the oldest kept row still links to something.

Writes: audit_log, audit_head
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from typing import Any, Final

import msgspec

from server.audit.schemas import AuditEntry, AuditFacts, AuditHead
from server.chain import GENESIS_HASH, facts_hash
from server.db import Database

__all__ = ["AuditFilter", "append", "entries", "head", "link", "remove_older", "walk"]

FIELDS: Final = AuditFacts.__struct_fields__
_COLUMNS: Final = ", ".join(FIELDS)
_INSERT: Final = (
    f"INSERT INTO audit_log ({_COLUMNS}, prev_hash, hash) "  # noqa: S608  (names are ours)
    f"VALUES ({', '.join(['{}'] * (len(FIELDS) + 2))}) RETURNING id"
)
_HEAD: Final = "SELECT last_id, last_hash, entries, anchor_id, anchor_hash FROM audit_head"
WALK_BATCH_ROWS: Final = 1000
SWEEP_BATCH_ROWS: Final = 1000


class AuditFilter(msgspec.Struct, frozen=True, kw_only=True):
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    actor: str | None = None
    action: str | None = None
    """A prefix: "site." finds every site change."""
    target: str | None = None
    limit: int = 100
    offset: int = 0


def link(prev_hash: str, source: AuditFacts) -> str:
    return facts_hash(prev_hash, source, FIELDS)


async def head(db: Database, *, lock: bool = False) -> AuditHead:
    row = await db.fetch_one(_HEAD + (db.for_update if lock else ""))
    return AuditHead() if row is None else msgspec.convert(dict(row), AuditHead)


async def append(db: Database, facts: AuditFacts) -> AuditEntry:
    """The next entry of the log; must run inside `db.write()`."""
    if db.engine.current_transaction.get() is None:
        raise RuntimeError("audit entries must be appended inside db.write()")
    before = await _locked_head(db)
    digest = link(before.last_hash, facts)
    values = [getattr(facts, name) for name in FIELDS]
    rows = await db.fetch(_INSERT, *values, before.last_hash, digest)
    entry_id = int(rows[0]["id"])
    await db.fetch(
        "UPDATE audit_head SET last_id = {}, last_hash = {}, entries = entries + 1",
        entry_id,
        digest,
    )
    return AuditEntry(
        id=entry_id, prev_hash=before.last_hash, hash=digest, **msgspec.structs.asdict(facts)
    )


async def _locked_head(db: Database) -> AuditHead:
    row = await db.fetch_one(_HEAD + db.for_update)
    if row is None:
        # A database whose head row is gone (emptied by TRUNCATE): start it again. Entries
        # left without a head fail verification, as they should.
        await db.fetch(
            "INSERT INTO audit_head (id, last_id, last_hash, entries, anchor_id, anchor_hash) "
            "VALUES (1, 0, {}, 0, 0, {}) ON CONFLICT (id) DO NOTHING",
            GENESIS_HASH,
            GENESIS_HASH,
        )
        row = await db.fetch_one(_HEAD + db.for_update)
    assert row is not None
    return msgspec.convert(dict(row), AuditHead)


def _where(where: AuditFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for sql, value in (
        ("at >= {}", where.since),
        ("at <= {}", where.until),
        ("actor = {}", where.actor),
        ("target = {}", where.target),
    ):
        if value is not None:
            clauses.append(sql)
            args.append(value)
    if where.action:
        # A prefix; LIKE's own wildcards in the filter match only themselves.
        escaped = where.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("action LIKE {} ESCAPE '\\'")
        args.append(escaped + "%")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


async def entries(db: Database, where: AuditFilter) -> list[AuditEntry]:
    """Entries that match, newest first."""
    sql, args = _where(where)
    rows = await db.fetch(
        f"SELECT id, {_COLUMNS}, prev_hash, hash FROM audit_log{sql} "  # noqa: S608
        "ORDER BY id DESC LIMIT {} OFFSET {}",
        *args,
        where.limit,
        where.offset,
    )
    return [_entry(row) for row in rows]


async def walk(db: Database, batch_rows: int = WALK_BATCH_ROWS) -> AsyncIterator[AuditEntry]:
    """Every entry, oldest first, read in batches (the log may be millions of rows)."""
    after_id = 0
    while True:
        rows = await db.fetch(
            f"SELECT id, {_COLUMNS}, prev_hash, hash FROM audit_log "  # noqa: S608
            "WHERE id > {} ORDER BY id LIMIT {}",
            after_id,
            batch_rows,
        )
        for row in rows:
            yield _entry(row)
        if len(rows) < batch_rows:
            return
        after_id = int(rows[-1]["id"])


async def remove_older(db: Database, cutoff: dt.datetime) -> int:
    """Delete entries from before `cutoff`, oldest first, in batches of bulk work, never the
    newest entry (the head's hash must stay checkable); returns how many went."""
    removed = 0
    while True:
        async with db.write(bulk=True):
            now = await head(db, lock=True)
            candidates = await db.fetch(
                "SELECT id, hash, CASE WHEN at < {} THEN 1 ELSE 0 END AS old "
                "FROM audit_log WHERE id < {} ORDER BY id LIMIT {}",
                cutoff,
                now.last_id,
                SWEEP_BATCH_ROWS,
            )
            # Only the oldest run: a row stamped out of order does not take newer ones along.
            rows = list(itertools.takewhile(lambda row: int(row["old"]) == 1, candidates))
            if rows:
                newest = rows[-1]
                gone = await db.fetch(
                    "DELETE FROM audit_log WHERE id <= {} RETURNING id", int(newest["id"])
                )
                await db.fetch(
                    "UPDATE audit_head SET anchor_id = {}, anchor_hash = {}, "
                    "entries = entries - {}",
                    int(newest["id"]),
                    str(newest["hash"]),
                    len(gone),
                )
        removed += len(rows)
        if len(candidates) < SWEEP_BATCH_ROWS or len(rows) < len(candidates):
            return removed


def _entry(row: dict[str, Any]) -> AuditEntry:
    # Unpacked: inside a transaction asyncpg hands back its Record.
    return msgspec.convert({**row}, AuditEntry, strict=False)
