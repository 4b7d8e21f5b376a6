"""The sync engine's storage (`sync.store.Store`) in SQL that runs on SQLite and PostgreSQL.

Theory of operation. One push is one `db.write()` transaction, and this object lives for that
one request. Reads go to the database once and are kept; writes are kept too and go out in a
few multi-row statements at `flush()`, just before the transaction commits. A batch of 200
mutations thus costs about a dozen statements instead of a thousand, which is what makes the
push budget. It stays correct because nobody else can change what we read until we commit:

* on SQLite the write transaction is `BEGIN IMMEDIATE` (one writer at a time);
* on PostgreSQL every entity row we read is locked (`FOR UPDATE`), a new entity is written with
  a plain INSERT (a concurrent creator makes one of the two fail and retry, never overwrite),
  and a scope's head row is locked by the upsert that first reads it, so per scope the order of
  sequence numbers is the order of commits (trap P11: never an auto-increment).

An exception inside `transaction()` marks the object failed; `flush()` then refuses, and the
caller's transaction rolls back whole. Pulls and snapshots read inside `reading()`, one read
transaction per request (change_log.py serves the stored rows).

A push keeps its repository open (`open_for_push`) while the server's own rules run, so a rule
that writes a synced entity (server/sync/writes.py) joins it: one cache, one head per scope, one
flush. Two repositories in one transaction would each hand out the same next seq of a scope.

Writes: sync_entities, sync_members, sync_changes, sync_scopes, sync_devices
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, Final

import msgspec

from server.db import Database
from server.sql import insert_many, placeholders
from server.sync import change_log, outcomes
from sync.entities import EntityKind
from sync.errors import LocalError
from sync.merge import Conflict, EntityState, FieldStamp
from sync.messages import Applied, Change, Rejected
from sync.store import DeviceState, ScopeBounds

Key = tuple[EntityKind, uuid.UUID]
IN_LIST_CHUNK: Final = 500

_encode = msgspec.json.Encoder().encode
_FIELDS: Final = msgspec.json.Decoder(dict[str, FieldStamp])
_SCOPES: Final = msgspec.json.Decoder(list[str])
_RESULT: Final[msgspec.json.Decoder[Applied | Rejected]] = msgspec.json.Decoder(Applied | Rejected)


class _Row(msgspec.Struct):
    """An entity as this request knows it: ``stored`` says whether the database has the row."""

    state: EntityState | None
    scopes: list[str]
    stored: bool
    stored_scopes: list[str]
    dirty: bool = False


class _Pending(msgspec.Struct):
    """Writes kept until `flush()`."""

    results: dict[tuple[uuid.UUID, int], Applied | Rejected] = msgspec.field(default_factory=dict)
    changes: list[tuple[str, int, str, str, str]] = msgspec.field(default_factory=list)
    conflicts: dict[tuple[object, ...], tuple[Conflict, uuid.UUID]] = msgspec.field(
        default_factory=dict
    )
    heads: set[str] = msgspec.field(default_factory=set)
    devices: dict[uuid.UUID, int] = msgspec.field(default_factory=dict)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_OPEN: ContextVar[SyncRepository | None] = ContextVar("open_sync_repository", default=None)


class SyncRepository:
    """Implements :class:`sync.store.Store` for one request."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._rows: dict[Key, _Row] = {}
        self._results: dict[tuple[uuid.UUID, int], Applied | Rejected] = {}
        self._last_seq: dict[uuid.UUID, int] = {}
        self._heads: dict[str, int] = {}
        self._bounds: dict[str, ScopeBounds] = {}
        self._offsets: dict[uuid.UUID, int] = {}
        self._pending = _Pending()
        self._failed = False
        self._last_fields: tuple[object, str] = (None, "")

    @classmethod
    def joined(cls, db: Database) -> tuple[SyncRepository, bool]:
        """The push's repository if this task runs inside one on `db`, else a new one; the
        flag says whether it is new (then its caller flushes it)."""
        open_repo = _OPEN.get()
        if open_repo is not None and open_repo.on(db):
            return open_repo, False
        return cls(db), True

    def on(self, db: Database) -> bool:
        """Whether this repository works on `db`."""
        return self._db is db

    @contextmanager
    def open_for_push(self) -> Iterator[None]:
        """While inside, `joined` hands out this repository (see the module docstring)."""
        token = _OPEN.set(self)
        try:
            yield
        finally:
            _OPEN.reset(token)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Joins the request's `db.write()`; a failure inside poisons the whole request."""
        try:
            async with self._db.write():
                yield
        except BaseException:
            self._failed = True
            raise

    # Devices and results.

    async def claim_device(
        self, device_id: uuid.UUID, owner: str, schema_version: int
    ) -> tuple[str, int]:
        """Register or touch a device inside a write; returns its owner and last seq."""
        now = _now()
        row = await self._db.fetch_one(
            "INSERT INTO sync_devices (device_id, owner, last_seq, schema_version, "
            "clock_offset_ms, first_seen_at, last_seen_at) VALUES ({}, {}, 0, {}, 0, {}, {}) "
            "ON CONFLICT (device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, "
            "schema_version = excluded.schema_version RETURNING owner, last_seq",
            str(device_id),
            owner,
            schema_version,
            now,
            now,
        )
        assert row is not None
        self._last_seq[device_id] = int(row["last_seq"])
        return str(row["owner"]), int(row["last_seq"])

    async def device_owner(self, device_id: uuid.UUID) -> str | None:
        """Who a device belongs to, or None for a device that never pushed."""
        row = await self._db.fetch_one(
            "SELECT owner FROM sync_devices WHERE device_id = {}", str(device_id)
        )
        return None if row is None else str(row["owner"])

    async def get_device_state(self, device_id: uuid.UUID) -> DeviceState:
        """The device's last accepted seq (0 if never seen)."""
        if device_id not in self._last_seq:
            row = await self._db.fetch_one(
                "SELECT last_seq FROM sync_devices WHERE device_id = {}", str(device_id)
            )
            self._last_seq[device_id] = 0 if row is None else int(row["last_seq"])
        return DeviceState(device_id, self._last_seq[device_id])

    async def set_last_seq(self, device_id: uuid.UUID, last_seq: int) -> None:
        """Advance the device's seq (written at flush; the row exists: `claim_device`)."""
        self._last_seq[device_id] = last_seq
        self._pending.devices[device_id] = last_seq

    def record_offset(self, device_id: uuid.UUID, clock_offset_ms: int) -> None:
        """Keep the device clock's offset from ours, written at flush."""
        self._offsets[device_id] = clock_offset_ms
        self._pending.devices.setdefault(device_id, self._last_seq.get(device_id, 0))

    async def prefetch_results(self, device_id: uuid.UUID, low: int, high: int) -> None:
        """Load the stored results of seqs ``low..high`` in one query (a resent batch)."""
        rows = await self._db.fetch(
            "SELECT client_seq, body FROM sync_results WHERE device_id = {} "
            "AND client_seq >= {} AND client_seq <= {}",
            str(device_id),
            low,
            high,
        )
        for row in rows:
            self._results[(device_id, int(row["client_seq"]))] = _RESULT.decode(row["body"])

    async def get_result(self, device_id: uuid.UUID, client_seq: int) -> Applied | Rejected | None:
        """The stored result of a device's mutation."""
        key = (device_id, client_seq)
        if key not in self._results:
            row = await self._db.fetch_one(
                "SELECT body FROM sync_results WHERE device_id = {} AND client_seq = {}",
                str(device_id),
                client_seq,
            )
            if row is None:
                return None
            self._results[key] = _RESULT.decode(row["body"])
        return self._results[key]

    async def save_result(self, device_id: uuid.UUID, result: Applied | Rejected) -> None:
        """Keep a result; the first one for a key stays."""
        key = (device_id, result.client_seq)
        if key not in self._results:
            self._results[key] = self._pending.results[key] = result

    # Entities.

    async def prefetch(self, keys: Iterable[Key]) -> None:
        """Load (and on PostgreSQL lock) the entities a batch will touch, in a few queries."""
        wanted = {key for key in keys if key not in self._rows}
        ids = sorted({str(entity_id) for _, entity_id in wanted})
        for start in range(0, len(ids), IN_LIST_CHUNK):
            chunk = ids[start : start + IN_LIST_CHUNK]
            rows = await self._db.fetch(
                "SELECT kind, entity_id, fields, scopes FROM sync_entities "  # noqa: S608
                f"WHERE entity_id IN ({placeholders(len(chunk))}){self._db.for_update}",
                *chunk,
            )
            for row in rows:
                self._keep(row)
        for key in wanted:
            self._rows.setdefault(key, _Row(None, [], stored=False, stored_scopes=[]))

    def _keep(self, row: dict[str, Any]) -> None:
        kind, entity_id = EntityKind(row["kind"]), uuid.UUID(row["entity_id"])
        state = EntityState(kind, entity_id, _FIELDS.decode(row["fields"]))
        scopes = _SCOPES.decode(row["scopes"])
        self._rows[(kind, entity_id)] = _Row(state, scopes, stored=True, stored_scopes=scopes)

    def cached(self, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
        """An entity already loaded or written by this request (no query)."""
        row = self._rows.get((kind, entity_id))
        return None if row is None else row.state

    async def load_entity(self, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
        """The current state of an entity, or None."""
        if (kind, entity_id) not in self._rows:
            await self.prefetch([(kind, entity_id)])
        return self._rows[(kind, entity_id)].state

    async def save_entity(self, state: EntityState, scopes: list[str]) -> None:
        """Keep an entity's new state and scopes, written at flush."""
        key = (state.kind, state.entity_id)
        if key not in self._rows:
            await self.prefetch([key])
        row = self._rows[key]
        row.state, row.scopes, row.dirty = state, list(scopes), True

    async def _head(self, scope: str) -> int:
        if scope not in self._heads:
            # The no-op update takes the row lock (PostgreSQL) until commit: seq order is
            # commit order for this scope.
            row = await self._db.fetch_one(
                "INSERT INTO sync_scopes (scope, head, horizon) VALUES ({}, 0, 1) "
                "ON CONFLICT (scope) DO UPDATE SET head = sync_scopes.head RETURNING head",
                scope,
            )
            assert row is not None
            self._heads[scope] = int(row["head"])
        return self._heads[scope]

    async def append_change(
        self, scope: str, kind: EntityKind, entity_id: uuid.UUID, fields: dict[str, FieldStamp]
    ) -> int:
        """Give the change the scope's next seq (assigned in this transaction) and keep it."""
        seq = await self._head(scope) + 1
        self._heads[scope] = seq
        self._pending.heads.add(scope)
        if fields is not self._last_fields[0]:  # the engine appends one change to each scope
            self._last_fields = (fields, _encode(fields).decode())
        self._pending.changes.append((scope, seq, kind.value, str(entity_id), self._last_fields[1]))
        return seq

    async def record_conflict(self, conflict: Conflict, mutation_id: uuid.UUID) -> None:
        """Keep a losing value once (also unique in the table)."""
        self._pending.conflicts.setdefault(conflict.key, (conflict, mutation_id))

    # Flush: every kept write in a few statements.

    async def flush(self) -> None:
        """Write what this request kept; must run inside the same `db.write()`."""
        if self._failed:
            raise LocalError("a storage step failed earlier in this request")
        await self._flush_entities()
        await self._flush_members()
        await insert_many(
            self._db,
            "sync_changes",
            ("scope", "seq", "kind", "entity_id", "fields"),
            self._pending.changes,
        )
        for scope in sorted(self._pending.heads):
            await self._db.fetch(
                "UPDATE sync_scopes SET head = {} WHERE scope = {}", self._heads[scope], scope
            )
        now = _now()
        await outcomes.insert_conflicts(self._db, self._pending.conflicts.values(), now)
        await outcomes.insert_results(self._db, self._pending.results, now)
        for device_id, last_seq in self._pending.devices.items():
            await self._db.fetch(
                "UPDATE sync_devices SET last_seq = {}, clock_offset_ms = COALESCE({}, "
                "clock_offset_ms) WHERE device_id = {}",
                last_seq,
                self._offsets.get(device_id),
                str(device_id),
            )
        self._pending = _Pending()

    async def _flush_entities(self) -> None:
        dirty = [row for row in self._rows.values() if row.dirty and row.state is not None]
        new = [row for row in dirty if not row.stored]
        await insert_many(
            self._db,
            "sync_entities",
            ("kind", "entity_id", "fields", "scopes"),
            [_entity_values(row) for row in new],
        )
        for row in dirty:
            if row.stored:
                kind, entity_id, fields, scopes = _entity_values(row)
                await self._db.fetch(
                    "UPDATE sync_entities SET fields = {}, scopes = {} "
                    "WHERE kind = {} AND entity_id = {}",
                    fields,
                    scopes,
                    kind,
                    entity_id,
                )
            row.stored, row.dirty = True, False

    async def _flush_members(self) -> None:
        added: list[tuple[str, str, str]] = []
        for row in self._rows.values():
            if row.state is None or row.scopes == row.stored_scopes:
                continue
            kind, entity_id = row.state.kind.value, str(row.state.entity_id)
            for scope in set(row.stored_scopes) - set(row.scopes):
                await self._db.fetch(
                    "DELETE FROM sync_members WHERE scope = {} AND entity_id = {} AND kind = {}",
                    scope,
                    entity_id,
                    kind,
                )
            added += [(s, entity_id, kind) for s in set(row.scopes) - set(row.stored_scopes)]
            row.stored_scopes = list(row.scopes)
        await insert_many(self._db, "sync_members", ("scope", "entity_id", "kind"), added)

    # Reads for pull and snapshot.

    async def prefetch_bounds(self, scopes: Sequence[str]) -> None:
        """Load the heads and horizons of ``scopes`` in a few queries."""
        names = sorted(scopes)
        for start in range(0, len(names), IN_LIST_CHUNK):
            chunk = names[start : start + IN_LIST_CHUNK]
            rows = await self._db.fetch(
                "SELECT scope, head, horizon FROM sync_scopes "  # noqa: S608
                f"WHERE scope IN ({placeholders(len(chunk))})",
                *chunk,
            )
            for scope in chunk:
                self._bounds[scope] = ScopeBounds()
            for row in rows:
                self._bounds[row["scope"]] = ScopeBounds(int(row["head"]), int(row["horizon"]))

    async def scope_bounds(self, scope: str) -> ScopeBounds:
        """The head and compaction horizon of a scope's change log."""
        if scope in self._heads:
            return ScopeBounds(head=self._heads[scope])
        if scope not in self._bounds:
            await self.prefetch_bounds([scope])
        return self._bounds[scope]

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[None]:
        """One connection for all the reads of a request (SQLite would open one per query)."""
        if self._db.engine.current_transaction.get() is not None:
            yield
            return
        async with self._db.engine.transaction():
            yield

    async def read_changes(self, scope: str, after_seq: int, limit: int) -> list[Change]:
        """Up to ``limit`` changes of a scope after ``after_seq``, in seq order."""
        known = self._bounds.get(scope)
        if known is not None and known.head <= after_seq:
            return []
        return await change_log.read_changes(self._db, scope, after_seq, limit)

    async def read_snapshot(
        self, scope: str, after_id: uuid.UUID | None, limit: int
    ) -> list[EntityState]:
        """Up to ``limit`` current rows of a scope with id > ``after_id``, ordered by id."""
        return await change_log.read_snapshot(self._db, scope, after_id, limit)


def _entity_values(row: _Row) -> tuple[str, str, str, str]:
    assert row.state is not None
    state = row.state
    fields = _encode(state.fields).decode()
    return state.kind.value, str(state.entity_id), fields, _encode(row.scopes).decode()
