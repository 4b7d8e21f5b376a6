"""SQLite's writer queue: one writer at a time, every urgent writer before any bulk batch."""

from __future__ import annotations

import asyncio

import pytest

from server.write_queue import WriteQueue


async def _take_turn(queue: WriteQueue, name: str, order: list[str], *, bulk: bool) -> None:
    await queue.acquire(bulk=bulk)
    order.append(name)
    queue.release()


async def _queued(queue: WriteQueue, *writers: tuple[str, bool]) -> list[str]:
    """Start each writer while the queue is held, let them all wait, then release."""
    order: list[str] = []
    await queue.acquire()
    tasks = []
    for name, bulk in writers:
        tasks.append(asyncio.create_task(_take_turn(queue, name, order, bulk=bulk)))
        await asyncio.sleep(0)  # it is now waiting, in this order
    queue.release()
    await asyncio.gather(*tasks)
    return order


async def test_an_urgent_writer_goes_before_bulk_batches_that_waited_longer() -> None:
    order = await _queued(
        WriteQueue(), ("import-1", True), ("import-2", True), ("alarm", False), ("desk", False)
    )
    assert order == ["alarm", "desk", "import-1", "import-2"]


async def test_a_free_queue_is_taken_at_once_and_freed_after_the_last_writer() -> None:
    queue = WriteQueue()
    await queue.acquire(bulk=True)
    assert queue.held
    queue.release()
    assert not queue.held
    assert await _queued(queue, ("a", False), ("b", False)) == ["a", "b"]
    assert not queue.held


async def test_urgent_waiting_is_seen_by_the_bulk_writer_holding_the_queue() -> None:
    queue = WriteQueue()
    await queue.acquire(bulk=True)
    assert not queue.urgent_waiting()
    alarm = asyncio.create_task(queue.acquire())
    await asyncio.sleep(0)
    assert queue.urgent_waiting()
    queue.release()
    await alarm
    assert not queue.urgent_waiting()
    queue.release()


async def test_a_writer_cancelled_while_waiting_leaves_the_others_their_turn() -> None:
    queue = WriteQueue()
    order: list[str] = []
    await queue.acquire()
    gone = asyncio.create_task(_take_turn(queue, "gone", order, bulk=False))
    kept = asyncio.create_task(_take_turn(queue, "kept", order, bulk=True))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    assert not queue.urgent_waiting()
    queue.release()
    await kept
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert order == ["kept"]
    assert not queue.held


async def test_a_writer_cancelled_just_after_its_turn_came_passes_the_turn_on() -> None:
    queue = WriteQueue()
    order: list[str] = []
    await queue.acquire()
    first = asyncio.create_task(_take_turn(queue, "first", order, bulk=False))
    second = asyncio.create_task(_take_turn(queue, "second", order, bulk=False))
    await asyncio.sleep(0)
    queue.release()  # handed to `first`, which has not run yet...
    first.cancel()  # ...and is cancelled before it does
    await second
    with pytest.raises(asyncio.CancelledError):
        await first
    assert order == ["second"]
    assert not queue.held


def test_releasing_a_free_queue_is_a_bug() -> None:
    with pytest.raises(RuntimeError):
        WriteQueue().release()
