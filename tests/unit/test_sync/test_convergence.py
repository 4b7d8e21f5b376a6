"""Randomized convergence (reference offline-sync.md §6.2) against the in-memory store."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_sync.invariants import check_invariants
from tests.unit.test_sync.simulation import run_world

STEPS = 120


@pytest.mark.parametrize("seed", range(200))
def test_every_seeded_run_converges_with_nothing_lost_or_duplicated(seed: int) -> None:
    check_invariants(asyncio.run(run_world(seed, STEPS)))


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_any_seed_converges(seed: int) -> None:
    check_invariants(asyncio.run(run_world(seed, STEPS)))


def test_tablets_behind_the_compaction_horizon_snapshot_and_still_converge() -> None:
    worlds = [asyncio.run(run_world(seed, STEPS)) for seed in range(5)]

    for world in worlds:
        check_invariants(world)
    assert all(world.resets > 0 for world in worlds)
