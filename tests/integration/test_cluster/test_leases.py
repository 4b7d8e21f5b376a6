"""Timer leases on the real PostgreSQL: one holder at a time, taken over when the holder's
session dies, and the holder's work stopped as soon as it cannot be sure it still holds it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import asyncpg
import pytest

from server.cluster.leases import AlwaysHeld, LeaseKeeper, PostgresLease, Work, lock_key

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
CHECK_S = 0.05


async def _until(check: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.01)


async def _kill_holder(postgres_url: str, name: str) -> int:
    """Terminate the session holding the lease's advisory lock: the holder's node is gone."""
    key = lock_key(name) & 0xFFFF_FFFF_FFFF_FFFF
    connection = await asyncpg.connect(postgres_url)
    try:
        killed = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
            "AND classid::bigint = $1 AND objid::bigint = $2",
            key >> 32,
            key & 0xFFFF_FFFF,
        )
    finally:
        await connection.close()
    return len(killed)


async def test_one_node_runs_the_work_and_another_takes_over_when_its_session_dies(
    postgres_url: str,
) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    keepers = {node: LeaseKeeper(PostgresLease(name, postgres_url), CHECK_S) for node in "ab"}
    ticks: list[str] = []
    ran: dict[str, int] = {"a": 0, "b": 0}

    def work(node: str) -> Work:
        async def tick() -> None:
            while True:
                ticks.append(node)
                ran[node] += 1
                await asyncio.sleep(0.01)

        return tick

    first = asyncio.create_task(keepers["a"].run(work("a")))
    await _until(lambda: ran["a"] > 0)
    second = asyncio.create_task(keepers["b"].run(work("b")))
    await asyncio.sleep(20 * CHECK_S)
    assert ran["b"] == 0
    assert not keepers["b"].held

    assert await _kill_holder(postgres_url, name) == 1
    await _until(lambda: not keepers["a"].held or keepers["b"].held)
    first.cancel()  # the node is gone for good
    await asyncio.gather(first, return_exceptions=True)
    await _until(lambda: ran["b"] > 0)
    assert keepers["b"].held
    handover = ticks.index("b")
    assert set(ticks[:handover]) == {"a"}
    assert set(ticks[handover:]) == {"b"}  # the cut-off holder stopped before b began
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)


async def test_a_holder_cut_off_from_the_database_stops_its_work(postgres_url: str) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    keeper = LeaseKeeper(PostgresLease(name, postgres_url), CHECK_S)
    stopped = asyncio.Event()

    async def work() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    task = asyncio.create_task(keeper.run(work))
    await _until(lambda: keeper.held)
    await _kill_holder(postgres_url, name)
    await asyncio.wait_for(stopped.wait(), 10)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert not keeper.held


async def test_the_embedded_lease_is_always_held() -> None:
    keeper = LeaseKeeper(AlwaysHeld("timers"), CHECK_S)
    done = asyncio.Event()

    async def work() -> None:
        done.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(keeper.run(work))
    await asyncio.wait_for(done.wait(), 5)
    assert keeper.held
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
