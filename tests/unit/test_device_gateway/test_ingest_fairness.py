"""Fairness of the ingest queue: one flooding address cannot make another's panic wait, and a
full share slows only the address that filled it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from device_gateway.ingest import IngestPipeline, Source
from device_gateway.protocols.dc09 import AccountPolicy
from device_gateway.signals import Received
from tests.eventually import step_loop
from tests.unit.test_device_gateway.dc09_support import accepted, make_receiver, plain
from tests.unit.test_device_gateway.ingest_support import FakeStore

FLOODER = Source(transport="tcp", peer="203.0.113.7:40000")
PANEL = Source(transport="udp", peer="198.51.100.20:5000")
PANIC = "[#1234|NPA1]"


@contextlib.asynccontextmanager
async def running(pipeline: IngestPipeline) -> AsyncIterator[None]:
    task = asyncio.create_task(pipeline.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def received(body: str = "[#1234|NRP]", seq: str = "0001", account: str = "1234") -> Received:
    """A frame from a registered account (the body names the account too)."""
    receiver = make_receiver({account: AccountPolicy()})
    return accepted(receiver, plain(body.replace("1234", account), seq=seq, account=account))


async def test_a_panic_from_a_quiet_panel_is_in_the_next_batch_despite_a_flood_of_panics() -> None:
    store = FakeStore()
    store.gate = asyncio.Event()
    pipeline = IngestPipeline(store, max_batch=500, max_pending_per_source=10_000)
    async with running(pipeline):
        first = pipeline.submit(received(PANIC, seq="9999", account="9999"), FLOODER)
        await store.entered.wait()  # a commit is running; the flood queues up behind it
        flood = [
            pipeline.submit(received(f"[#1234|NPA{n % 999 + 1}]", seq=f"{n:04d}"), FLOODER)
            for n in range(1, 2_001)
        ]
        genuine = pipeline.submit(received(PANIC, seq="0001", account="5555"), PANEL)
        store.gate.set()
        await asyncio.gather(first, genuine, *flood)
    with_genuine = [
        n for n, batch in enumerate(store.batches) if PANEL in (i.source for i in batch)
    ]
    assert with_genuine == [1]  # the running commit, then the very next one
    assert len(store.batches) > 100  # alarms go in short batches: the flood needed many


async def test_within_a_priority_sources_take_turns() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_batch=4)
    quiet = Source(transport="tcp", peer="192.0.2.1:1")
    loud = [pipeline.submit(received(seq=f"{n:04d}"), FLOODER) for n in range(1, 9)]
    calm = [pipeline.submit(received(seq=f"{n:04d}", account="7777"), quiet) for n in (1, 2)]
    async with running(pipeline):
        await asyncio.gather(*loud, *calm)
    first = [item.source for item in store.batches[0]]
    assert first == [FLOODER, quiet, FLOODER, quiet]


async def test_an_address_at_its_share_waits_while_another_is_still_read() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_pending=100, max_pending_per_source=3)
    futures = [pipeline.submit(received(seq=f"{n:04d}"), FLOODER) for n in range(1, 4)]
    assert pipeline.source_full(FLOODER.host)
    assert not pipeline.full
    flooder_waits = asyncio.create_task(pipeline.wait_for_room(FLOODER.host))
    await asyncio.wait_for(pipeline.wait_for_room(PANEL.host), 1)  # the others are read on
    await step_loop()
    assert not flooder_waits.done()
    async with running(pipeline):
        await asyncio.wait_for(flooder_waits, 1)
        await asyncio.gather(*futures)


async def test_unregistered_accounts_get_a_small_share_of_their_own() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_pending_per_source=100, max_pending_unregistered=2)
    stranger = accepted(make_receiver(), plain("[#8888|NRP]", seq="0001", account="8888"))
    assert received().registered
    assert not stranger.registered
    pipeline.submit(stranger, FLOODER)
    assert not pipeline.source_full(FLOODER.host)
    other = accepted(make_receiver(), plain("[#8888|NRP]", seq="0002", account="8888"))
    pipeline.submit(other, FLOODER)
    assert pipeline.source_full(FLOODER.host)
    assert not pipeline.source_full(PANEL.host)
    async with running(pipeline):
        await asyncio.wait_for(pipeline.wait_for_room(FLOODER.host), 1)


def test_the_host_of_a_source_drops_only_the_port() -> None:
    assert Source(transport="udp", peer="10.1.2.3:5000").host == "10.1.2.3"
    assert Source(transport="tcp", peer="::1:5000").host == "::1"
