"""The convergence harness must catch broken stores, or its passing proves nothing."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from sync.entities import EntityKind
from sync.errors import SyncError
from sync.memory_store import MemoryStore
from sync.merge import EntityState
from sync.messages import Change
from sync.store import DeviceState, ScopeBounds
from tests.unit.test_sync.invariants import check_invariants
from tests.unit.test_sync.simulation import run_world


class ForgetsSequences(MemoryStore):
    """No dedup: never remembers which client_seq a device reached."""

    async def get_device_state(self, device_id: uuid.UUID) -> DeviceState:
        return DeviceState(device_id, 0)


class ArrivalOrderWins(MemoryStore):
    """Never merges: the write that arrives last replaces the entity."""

    async def load_entity(self, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
        return None


class SkipsALateCommit(MemoryStore):
    """A cursor read that misses the first change after a non-zero cursor (trap P11)."""

    async def read_changes(self, scope: str, after_seq: int, limit: int) -> list[Change]:
        changes = await super().read_changes(scope, after_seq, limit + 1)
        return [c for c in changes if after_seq == 0 or c.seq != after_seq + 1][:limit]


class HidesTheHorizon(MemoryStore):
    """Compaction drops changes but pulls never see the horizon: a tablet behind skips them."""

    async def scope_bounds(self, scope: str) -> ScopeBounds:
        return ScopeBounds(head=(await super().scope_bounds(scope)).head)


def fails(store: type[MemoryStore], seed: int) -> bool:
    try:
        check_invariants(asyncio.run(run_world(seed, 120, store())))
    except (AssertionError, SyncError):  # a broken store may also trip the client's own checks
        return True
    return False


@pytest.mark.parametrize(
    "broken", [ForgetsSequences, ArrivalOrderWins, SkipsALateCommit, HidesTheHorizon]
)
def test_the_harness_fails_on_a_broken_store(broken: type[MemoryStore]) -> None:
    failures = sum(fails(broken, seed) for seed in range(10))
    assert failures >= 8


def test_the_harness_passes_on_the_real_store() -> None:
    assert not any(fails(MemoryStore, seed) for seed in range(10))
