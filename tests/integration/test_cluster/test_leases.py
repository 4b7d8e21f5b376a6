"""Timer leases on the real PostgreSQL: one holder at a time, taken over when the holder's
session dies, and the holder's work stopped as soon as it cannot be sure it still holds it."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from server.cluster.leases import AlwaysHeld, LeaseKeeper, PostgresLease, Work
from tests.eventually import eventually
from tests.integration.test_cluster.advisory import lock_holders

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
CHECK_S = 0.05


WAIT_S = 10.0


class CountedLease(PostgresLease):
    """The real lease, counting the tries it lost because another node held it."""

    def __init__(self, name: str, dsn: str) -> None:
        super().__init__(name, dsn)
        self.refusals = 0

    async def acquire(self) -> bool:
        taken = await super().acquire()
        self.refusals += not taken
        return taken


async def _kill_holder(postgres_url: str, name: str) -> int:
    """Terminate the session holding the lease's advisory lock: the holder's node is gone."""
    holders = await lock_holders(postgres_url, name)
    connection = await asyncpg.connect(postgres_url)
    try:
        for pid in holders:
            await connection.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()
    return len(holders)


async def test_one_node_runs_the_work_and_another_takes_over_when_its_session_dies(
    postgres_url: str,
) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    leases = {node: CountedLease(name, postgres_url) for node in "ab"}
    keepers = {node: LeaseKeeper(lease, CHECK_S) for node, lease in leases.items()}
    ticks: list[str] = []
    ran: dict[str, int] = {"a": 0, "b": 0}

    def work(node: str) -> Work:
        async def tick() -> None:
            while True:
                ticks.append(node)
                ran[node] += 1
                await asyncio.sleep(0.01)  # the work's own pace: a tick every 10 ms

        return tick

    first = asyncio.create_task(keepers["a"].run(work("a")))
    await eventually(lambda: ran["a"] > 0, timeout_s=WAIT_S)
    second = asyncio.create_task(keepers["b"].run(work("b")))
    await eventually(lambda: leases["b"].refusals >= 3, timeout_s=WAIT_S)  # b tries, is refused
    assert ran["b"] == 0
    assert not keepers["b"].held

    assert await _kill_holder(postgres_url, name) == 1
    await eventually(lambda: not keepers["a"].held or keepers["b"].held, timeout_s=WAIT_S)
    first.cancel()  # the node is gone for good
    await asyncio.gather(first, return_exceptions=True)
    await eventually(lambda: ran["b"] > 0, timeout_s=WAIT_S)
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
    await eventually(lambda: keeper.held, timeout_s=WAIT_S)
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
