"""One hash-chained, append-only log kept in one table: append, read back, verify.

The incident timeline and the evidence custody log are both this; each says only where its rows
live (a `ChainSpec`), which Struct holds an entry's facts and which one a stored entry. The
table's columns carry the facts' field names, plus `id`, `prev_hash` and `hash`; one chain is the
rows that share the `key` column (one incident, one recording), in `id` order. A link's hash
covers every field of the facts Struct (server/chain.py says how they are encoded), so that
Struct is where a domain decides what its chain vouches for.

Appending reads the chain's last link and writes the next, which only works if no other writer
extends the same chain in between. On SQLite `Database.write()` is `BEGIN IMMEDIATE`: one writer
in the whole file. On PostgreSQL the append first takes a transaction-scoped advisory lock named
after the table and the chain. `SELECT … FOR UPDATE` on the last row would not do: a chain's first
entry has no row to lock, and under READ COMMITTED a writer that waited for that lock gets the
row it waited for back, no longer the last, and would fork the chain.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from server.chain import GENESIS_HASH, canonical_json, facts_hash
from server.db import Database

__all__ = ["ChainLog", "ChainSpec", "Linked"]

F = TypeVar("F", bound=msgspec.Struct)
E = TypeVar("E", bound=msgspec.Struct)

_LINK_COLUMNS = ("id", "prev_hash", "hash")


class ChainSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Where one kind of chain is stored; the names are ours, never a caller's."""

    table: str
    key: str
    """The column (and facts field) naming the chain a row belongs to."""
    json_columns: frozenset[str] = frozenset()
    """Facts fields stored as canonical JSON text and decoded again on read."""


class Linked(Protocol):
    """What verification needs of a stored entry besides its facts."""

    @property
    def id(self) -> int: ...

    @property
    def prev_hash(self) -> str: ...

    @property
    def hash(self) -> str: ...


class ChainLog(Generic[F, E]):
    """The chains of one table: built once per domain, with its SQL, at import."""

    def __init__(self, spec: ChainSpec, facts: type[F], entry: type[E]) -> None:
        self.spec = spec
        self._fields = facts.__struct_fields__
        self._entry = entry
        missing = ({spec.key, *spec.json_columns} - set(self._fields)) | (
            {*self._fields, *_LINK_COLUMNS} - set(entry.__struct_fields__)
        )
        if missing:
            raise TypeError(f"chain {spec.table}: fields missing: {sorted(missing)}")
        columns = ", ".join((*self._fields, "prev_hash", "hash"))
        where = f"FROM {spec.table} WHERE {spec.key} = {{}}"
        self._last_sql = f"SELECT hash {where} ORDER BY id DESC LIMIT 1"
        self._select_sql = f"SELECT id, {columns} {where} ORDER BY id"
        slots = ", ".join(["{}"] * (len(self._fields) + 2))
        self._insert_sql = (
            f"INSERT INTO {spec.table} ({columns}) "  # noqa: S608  (names are ours)
            f"VALUES ({slots}) RETURNING id"
        )

    def link(self, prev_hash: str, source: F | Linked) -> str:
        """The hash of the link after `prev_hash` with these facts (from a facts Struct or a
        stored entry, which carries the same fields)."""
        return facts_hash(prev_hash, source, self._fields)

    async def append(self, db: Database, facts: F) -> E:
        """Add `facts` as the next link of their chain, inside `db.write()`."""
        if db.engine.current_transaction.get() is None:
            # Outside a transaction nothing keeps a second writer off the tail we read.
            raise RuntimeError(f"{self.spec.table} entries must be appended inside db.write()")
        chain = getattr(facts, self.spec.key)
        if not db.is_sqlite:
            await db.fetch("SELECT pg_advisory_xact_lock({})", self._lock_id(chain))
        last = await db.fetch_one(self._last_sql, chain)
        prev_hash = GENESIS_HASH if last is None else str(last["hash"])
        digest = self.link(prev_hash, facts)
        rows = await db.fetch(self._insert_sql, *self._stored(facts), prev_hash, digest)
        return self._entry(
            id=int(rows[0]["id"]), prev_hash=prev_hash, hash=digest, **msgspec.structs.asdict(facts)
        )

    async def entries(self, db: Database, chain: object) -> list[E]:
        """One chain, oldest first."""
        rows = await db.fetch(self._select_sql, chain)
        return [self._to_entry(row) for row in rows]

    def first_break(self, chain: Sequence[Linked]) -> int | None:
        """The id of the first entry whose link does not hold (edited, removed or reordered
        rows), or None when the whole chain holds."""
        prev_hash = GENESIS_HASH
        for entry in chain:
            if entry.prev_hash != prev_hash or self.link(prev_hash, entry) != entry.hash:
                return entry.id
            prev_hash = entry.hash
        return None

    def _lock_id(self, chain: object) -> int:
        """PostgreSQL's advisory locks are named by one signed 64-bit number. Two chains that
        share a number only wait for each other; they never share a tail."""
        digest = hashlib.sha256(f"{self.spec.table}\x00{chain}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def _stored(self, facts: F) -> list[Any]:
        values: list[Any] = []
        for name in self._fields:
            value = getattr(facts, name)
            if name in self.spec.json_columns:
                value = canonical_json(value)
            elif isinstance(value, enum.Enum):
                value = value.value
            values.append(value)
        return values

    def _to_entry(self, row: dict[str, Any]) -> E:
        decoded = {name: _json_value(row[name]) for name in self.spec.json_columns}
        # Unpacked, not `row | decoded`: inside a transaction asyncpg hands back its Record.
        return msgspec.convert({**row, **decoded}, self._entry, strict=False)


def _json_value(stored: object) -> object:
    # PostgreSQL's json columns and SQLite's text columns both come back as text.
    return msgspec.json.decode(stored) if isinstance(stored, str | bytes) else stored
