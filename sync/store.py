"""What the sync engine needs from storage: a Protocol the server implements with piccolo.

Every method is a coroutine so a database can sit behind it; :mod:`sync.memory_store` is the
in-memory implementation for tests and clients. Rules an implementation must keep:

* ``transaction()`` makes everything inside it one atomic unit (``BEGIN IMMEDIATE`` on SQLite);
  on an exception nothing inside it is kept.
* ``append_change`` assigns the scope's next sequence number *inside* the transaction, by
  bumping a per-scope counter row (never an auto-increment: on PostgreSQL its order is not
  commit order, and a reader would skip a late commit, trap P11).
* ``record_conflict`` and ``save_result`` are idempotent on their keys.
* a storage failure raises :class:`sync.errors.LocalError`, so the request is retried.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeAlias

import msgspec

from sync.entities import EntityKind
from sync.merge import Conflict, EntityState, FieldStamp
from sync.messages import Applied, Change, Rejected

EntityKey: TypeAlias = tuple[EntityKind, uuid.UUID]
"""An entity's kind and id: what a push prefetches."""


class DeviceState(msgspec.Struct, frozen=True):
    """What the server remembers of one device's push sequence."""

    device_id: uuid.UUID
    last_seq: int = 0


class ScopeBounds(msgspec.Struct, frozen=True):
    """A scope's change log: ``head`` is the newest seq, ``horizon`` the oldest still kept.

    A cursor below ``horizon - 1`` missed compacted changes and must snapshot again.
    """

    head: int = 0
    horizon: int = 1


class Store(Protocol):
    """Storage for the push, pull and snapshot engines."""

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """One atomic unit of work."""
        ...

    async def get_device_state(self, device_id: uuid.UUID) -> DeviceState:
        """The device's state; ``last_seq`` 0 for a device never seen."""
        ...

    async def set_last_seq(self, device_id: uuid.UUID, last_seq: int) -> None:
        """Record the device's last accepted client_seq."""
        ...

    async def get_result(self, device_id: uuid.UUID, client_seq: int) -> Applied | Rejected | None:
        """The stored result of a device's mutation, if still kept."""
        ...

    async def save_result(self, device_id: uuid.UUID, result: Applied | Rejected) -> None:
        """Store a mutation's result; a ``Rejected`` one also feeds the rejected list."""
        ...

    async def prefetch(self, keys: Collection[EntityKey]) -> None:
        """Load the entities of ``keys`` at once (a database locks them too): a push reads
        only these afterwards. A store that holds everything in memory has nothing to do."""
        ...

    async def load_entity(self, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
        """The current state of an entity, or None."""
        ...

    async def save_entity(self, state: EntityState, scopes: list[str]) -> None:
        """Store an entity's new state and the scopes it now belongs to."""
        ...

    async def append_change(
        self, scope: str, kind: EntityKind, entity_id: uuid.UUID, fields: dict[str, FieldStamp]
    ) -> int:
        """Append to a scope's change log and return the seq assigned in this transaction."""
        ...

    async def record_conflict(self, conflict: Conflict, mutation_id: uuid.UUID) -> None:
        """Keep a losing value for the dispatcher (idempotent on ``conflict.key``)."""
        ...

    async def scope_bounds(self, scope: str) -> ScopeBounds:
        """The head and compaction horizon of a scope's change log."""
        ...

    async def read_changes(self, scope: str, after_seq: int, limit: int) -> list[Change]:
        """Up to ``limit`` changes of a scope with seq > ``after_seq``, in seq order."""
        ...

    async def read_snapshot(
        self, scope: str, after_id: uuid.UUID | None, limit: int
    ) -> list[EntityState]:
        """Up to ``limit`` current rows of a scope with id > ``after_id``, ordered by id."""
        ...
