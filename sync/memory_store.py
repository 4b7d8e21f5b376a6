"""An in-memory :class:`sync.store.Store`, for tests and for clients that sync into memory.

A transaction snapshots the tables and puts them back if the block raises, so a failure in
the middle of a mutation leaves nothing behind, as a database would.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

import msgspec

from sync.entities import EntityKind
from sync.merge import Conflict, EntityState, FieldStamp
from sync.messages import Applied, Change, Rejected
from sync.store import DeviceState, EntityKey, ScopeBounds


class _Tables(msgspec.Struct):
    """Every table; values are immutable Structs, so copying the containers is enough."""

    last_seq: dict[uuid.UUID, int] = msgspec.field(default_factory=dict)
    results: dict[tuple[uuid.UUID, int], Applied | Rejected] = msgspec.field(default_factory=dict)
    entities: dict[EntityKey, EntityState] = msgspec.field(default_factory=dict)
    members: dict[str, set[EntityKey]] = msgspec.field(default_factory=dict)
    log: dict[str, list[Change]] = msgspec.field(default_factory=dict)
    horizon: dict[str, int] = msgspec.field(default_factory=dict)
    conflicts: dict[tuple[object, ...], tuple[Conflict, uuid.UUID]] = msgspec.field(
        default_factory=dict
    )

    def copy(self) -> _Tables:
        """A copy whose containers can change without touching this one."""
        return _Tables(
            last_seq=dict(self.last_seq),
            results=dict(self.results),
            entities=dict(self.entities),
            members={scope: set(keys) for scope, keys in self.members.items()},
            log={scope: list(changes) for scope, changes in self.log.items()},
            horizon=dict(self.horizon),
            conflicts=dict(self.conflicts),
        )


class MemoryStore:
    """Implements :class:`sync.store.Store` with dicts and lists."""

    def __init__(self) -> None:
        self._tables = _Tables()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """All or nothing: the tables are restored if the block raises."""
        saved = self._tables.copy()
        try:
            yield
        except BaseException:
            self._tables = saved
            raise

    async def get_device_state(self, device_id: uuid.UUID) -> DeviceState:
        """The device's last accepted seq (0 if never seen)."""
        return DeviceState(device_id, self._tables.last_seq.get(device_id, 0))

    async def set_last_seq(self, device_id: uuid.UUID, last_seq: int) -> None:
        """Record the device's last accepted seq."""
        self._tables.last_seq[device_id] = last_seq

    async def get_result(self, device_id: uuid.UUID, client_seq: int) -> Applied | Rejected | None:
        """The stored result of a device's mutation."""
        return self._tables.results.get((device_id, client_seq))

    async def save_result(self, device_id: uuid.UUID, result: Applied | Rejected) -> None:
        """Store a result (the first one stays)."""
        self._tables.results.setdefault((device_id, result.client_seq), result)

    async def prefetch(self, keys: Collection[EntityKey]) -> None:
        """Nothing to load: every entity is in memory."""

    async def load_entity(self, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
        """An entity's current state."""
        return self._tables.entities.get((kind, entity_id))

    async def save_entity(self, state: EntityState, scopes: list[str]) -> None:
        """Store an entity and the scopes it belongs to."""
        key = (state.kind, state.entity_id)
        self._tables.entities[key] = state
        for members in self._tables.members.values():
            members.discard(key)
        for scope in scopes:
            self._tables.members.setdefault(scope, set()).add(key)

    async def append_change(
        self, scope: str, kind: EntityKind, entity_id: uuid.UUID, fields: dict[str, FieldStamp]
    ) -> int:
        """Append to the scope's log with the next seq."""
        log = self._tables.log.setdefault(scope, [])
        seq = (await self.scope_bounds(scope)).head + 1
        log.append(Change(scope=scope, seq=seq, kind=kind, entity_id=entity_id, fields=fields))
        return seq

    async def record_conflict(self, conflict: Conflict, mutation_id: uuid.UUID) -> None:
        """Keep a losing value once."""
        self._tables.conflicts.setdefault(conflict.key, (conflict, mutation_id))

    async def scope_bounds(self, scope: str) -> ScopeBounds:
        """Head and horizon of a scope's log."""
        log = self._tables.log.get(scope, [])
        horizon = self._tables.horizon.get(scope, 1)
        return ScopeBounds(head=log[-1].seq if log else horizon - 1, horizon=horizon)

    async def read_changes(self, scope: str, after_seq: int, limit: int) -> list[Change]:
        """Changes after ``after_seq`` in order."""
        log = self._tables.log.get(scope, [])
        return [change for change in log if change.seq > after_seq][:limit]

    async def read_snapshot(
        self, scope: str, after_id: uuid.UUID | None, limit: int
    ) -> list[EntityState]:
        """Current rows of a scope ordered by id."""
        keys = sorted(self._tables.members.get(scope, set()), key=lambda key: key[1].int)
        rows = [self._tables.entities[key] for key in keys]
        if after_id is not None:
            rows = [row for row in rows if row.entity_id.int > after_id.int]
        return rows[:limit]

    # Inspection and maintenance, beyond the Protocol.

    def entities(self) -> dict[EntityKey, EntityState]:
        """Every entity, keyed by kind and id."""
        return dict(self._tables.entities)

    def results(self) -> dict[tuple[uuid.UUID, int], Applied | Rejected]:
        """Every stored result, keyed by device and seq."""
        return dict(self._tables.results)

    def conflicts(self) -> list[Conflict]:
        """Every recorded conflict."""
        return [conflict for conflict, _ in self._tables.conflicts.values()]

    def compact(self, scope: str, keep_after_seq: int) -> None:
        """Drop a scope's changes up to ``keep_after_seq``; their rows stay in the snapshot."""
        log = self._tables.log.get(scope, [])
        head = log[-1].seq if log else self._tables.horizon.get(scope, 1) - 1
        keep_after_seq = min(keep_after_seq, head)
        self._tables.log[scope] = [change for change in log if change.seq > keep_after_seq]
        horizon = max(self._tables.horizon.get(scope, 1), keep_after_seq + 1)
        self._tables.horizon[scope] = horizon
