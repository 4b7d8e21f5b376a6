"""The durable-ACK pipeline with a fake store: group commit, priority, backpressure, dedup."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from device_gateway.ingest import IngestOutcome, IngestPipeline, dedup_digest
from tests.eventually import step_loop
from tests.unit.test_device_gateway.ingest_support import (
    SOURCE,
    CountingObserver,
    FakeStore,
    received,
)


@contextlib.asynccontextmanager
async def running(pipeline: IngestPipeline) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(pipeline.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_frame_is_stored_before_its_future_resolves() -> None:
    store = FakeStore()
    store.gate = asyncio.Event()
    pipeline = IngestPipeline(store)
    async with running(pipeline):
        done = pipeline.submit(received(), SOURCE)
        await store.entered.wait()
        await step_loop()  # the commit is held: nothing may resolve the future meanwhile
        assert not done.done()
        store.gate.set()
        assert await done is IngestOutcome.STORED
    assert len(store.batches) == 1


async def test_group_commit_takes_everything_that_queued_during_the_previous_commit() -> None:
    store = FakeStore()
    store.gate = asyncio.Event()
    observer = CountingObserver()
    pipeline = IngestPipeline(store, observer=observer)
    async with running(pipeline):
        first = pipeline.submit(received(seq="0001"), SOURCE)
        await store.entered.wait()
        later = [pipeline.submit(received(seq=f"{n:04d}"), SOURCE) for n in range(2, 52)]
        store.gate.set()
        await asyncio.gather(first, *later)
    assert [len(batch) for batch in store.batches] == [1, 50]
    assert observer.committed == [(1, 0), (50, 0)]


async def test_batches_are_capped_at_max_batch() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_batch=4)
    futures = [pipeline.submit(received(seq=f"{n:04d}"), SOURCE) for n in range(1, 11)]
    async with running(pipeline):
        await asyncio.gather(*futures)
    assert [len(batch) for batch in store.batches] == [4, 4, 2]


async def test_under_overload_panic_is_committed_before_queued_tests() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_batch=3)
    tests = [pipeline.submit(received("[#1234|NRP]", seq=f"{n:04d}"), SOURCE) for n in range(1, 7)]
    panic = pipeline.submit(received("[#1234|NPA1]", seq="0099"), SOURCE)
    async with running(pipeline):
        await asyncio.gather(*tests, panic)
    first = store.batches[0]
    assert first[0].received.dedup_key.seq == "0099"
    assert first[0].priority == 1
    assert [item.received.dedup_key.seq for item in first[1:]] == ["0001", "0002"]


async def test_a_full_queue_makes_readers_wait_until_a_batch_is_taken() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_pending=3)
    futures = [pipeline.submit(received(seq=f"{n:04d}"), SOURCE) for n in range(1, 4)]
    assert pipeline.full
    waiting = asyncio.create_task(pipeline.wait_for_room())
    await step_loop()
    assert not waiting.done()
    async with running(pipeline):
        await asyncio.wait_for(waiting, 1)
        await asyncio.gather(*futures)
    assert pipeline.pending == 0


async def test_a_retransmission_of_a_queued_frame_waits_for_it_and_is_stored_once() -> None:
    store = FakeStore()
    observer = CountingObserver()
    pipeline = IngestPipeline(store, observer=observer)
    first = pipeline.submit(received(seq="0005"), SOURCE)
    twin = pipeline.submit(received(seq="0005"), SOURCE)
    async with running(pipeline):
        assert (await first, await twin) == (IngestOutcome.STORED, IngestOutcome.DUPLICATE)
    assert [len(batch) for batch in store.batches] == [1]
    assert observer.answered == 1


async def test_a_retransmission_after_the_commit_is_answered_from_memory() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store)
    async with running(pipeline):
        assert await pipeline.submit(received(seq="0006"), SOURCE) is IngestOutcome.STORED
        again = pipeline.submit(received(seq="0006"), SOURCE)
        assert again.done()
        assert await again is IngestOutcome.DUPLICATE
    assert len(store.batches) == 1


async def test_memory_forgets_after_the_window_and_the_store_decides_again() -> None:
    now = [1000.0]
    store = FakeStore()
    pipeline = IngestPipeline(store, dedup_window_s=600, clock=lambda: now[0])
    async with running(pipeline):
        await pipeline.submit(received(seq="0007"), SOURCE)
        now[0] += 601
        store.stored_before.add("0007")
        assert await pipeline.submit(received(seq="0007"), SOURCE) is IngestOutcome.DUPLICATE
    assert len(store.batches) == 2


async def test_the_store_is_asked_about_duplicates_within_the_window() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, dedup_window_s=600)
    event = received()
    async with running(pipeline):
        await pipeline.submit(event, SOURCE)
    window = event.signals[0].received_at - store.since[0]
    assert window.total_seconds() == 600


async def test_a_failed_commit_fails_every_frame_of_the_batch_and_the_next_one_works() -> None:
    store = FakeStore()
    store.fail = ConnectionError("database went away")
    observer = CountingObserver()
    pipeline = IngestPipeline(store, observer=observer)
    lost = [pipeline.submit(received(seq=f"{n:04d}"), SOURCE) for n in range(1, 4)]
    async with running(pipeline):
        for future in lost:
            with pytest.raises(ConnectionError):
                await future
        assert await pipeline.submit(received(seq="0001"), SOURCE) is IngestOutcome.STORED
    assert observer.failed == [3]


async def test_stopping_fails_queued_frames_so_none_is_acked() -> None:
    store = FakeStore()
    store.gate = asyncio.Event()
    pipeline = IngestPipeline(store)
    async with running(pipeline):
        in_commit = pipeline.submit(received(seq="0001"), SOURCE)
        await store.entered.wait()
        queued = pipeline.submit(received(seq="0002"), SOURCE)
    for future in (in_commit, queued):
        with pytest.raises(ConnectionAbortedError):
            await future


def test_dedup_digest_tells_keys_apart_and_is_stable() -> None:
    one = received(seq="0001").dedup_key
    two = received(seq="0002").dedup_key
    assert dedup_digest(one) == dedup_digest(received(seq="0001").dedup_key)
    assert dedup_digest(one) != dedup_digest(two)
    assert len(dedup_digest(one)) == 64


async def test_alarm_frames_are_committed_in_short_batches() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_batch=10, max_alarm_batch=2)
    alarms = [pipeline.submit(received("[#1234|NBA1]", seq=f"{n:04d}"), SOURCE) for n in range(5)]
    tests = [pipeline.submit(received("[#1234|NRP]", seq=f"{n:04d}"), SOURCE) for n in range(5, 8)]
    async with running(pipeline):
        await asyncio.gather(*alarms, *tests)
    assert [len(batch) for batch in store.batches] == [2, 2, 4]


async def test_a_panic_batch_takes_no_lesser_alarms_along() -> None:
    store = FakeStore()
    pipeline = IngestPipeline(store, max_batch=10, max_alarm_batch=5)
    troubles = [pipeline.submit(received("[#1234|NAT]", seq=f"{n:04d}"), SOURCE) for n in range(3)]
    panic = pipeline.submit(received("[#1234|NPA1]", seq="0099"), SOURCE)
    async with running(pipeline):
        await asyncio.gather(*troubles, panic)
    assert [[item.priority for item in batch] for batch in store.batches] == [[1], [3, 3, 3]]
