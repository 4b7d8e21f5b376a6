"""The frame queue's policy (pure) and the pump that runs it (real threads, a real event loop)."""

import asyncio
import threading

import pytest

from recognition.frames import FrameDropped, FramePump, FrameQueue, Offer
from tests.eventually import eventually


def test_a_newer_frame_replaces_the_waiting_one_and_keeps_its_place() -> None:
    queue: FrameQueue[str] = FrameQueue(max_waiting=4)
    assert queue.put("cam-a", "a1") == (Offer.QUEUED, None)
    assert queue.put("cam-b", "b1") == (Offer.QUEUED, None)
    assert queue.put("cam-a", "a2") == (Offer.REPLACED, "a1")
    assert queue.take() == ("cam-a", "a2")
    assert queue.take() == ("cam-b", "b1")


def test_a_full_queue_refuses_new_sources_but_still_replaces_waiting_frames() -> None:
    queue: FrameQueue[str] = FrameQueue(max_waiting=2)
    queue.put("a", "a1")
    queue.put("b", "b1")
    assert queue.put("c", "c1") == (Offer.REFUSED, "c1")
    assert queue.put("b", "b2") == (Offer.REPLACED, "b1")
    assert len(queue) == 2


def test_a_source_never_has_two_frames_in_work() -> None:
    queue: FrameQueue[str] = FrameQueue(max_waiting=4)
    queue.put("a", "a1")
    assert queue.take() == ("a", "a1")
    queue.put("a", "a2")
    queue.put("b", "b1")
    assert queue.take() == ("b", "b1")  # a2 waits: a1 is still running
    assert queue.take() is None
    queue.release("a")
    assert queue.take() == ("a", "a2")


def test_memory_is_bounded_by_the_waiting_limit_however_many_frames_arrive() -> None:
    queue: FrameQueue[int] = FrameQueue(max_waiting=3)
    outcomes = [queue.put(f"cam-{n % 10}", n)[0] for n in range(10_000)]
    assert len(queue) == 3
    assert outcomes.count(Offer.QUEUED) == 3


def test_the_waiting_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FrameQueue[int](max_waiting=0)


async def test_work_runs_off_the_event_loop_thread_and_finish_on_it() -> None:
    pump = FramePump(max_waiting=2)
    runner = asyncio.create_task(pump.run())
    loop_thread = threading.get_ident()

    async def finish(worker_thread: int) -> tuple[int, int]:
        return worker_thread, threading.get_ident()

    try:
        worker, finisher = await pump.offer("cam", threading.get_ident, finish)
    finally:
        runner.cancel()
        await pump.close()
    assert worker != loop_thread
    assert finisher == loop_thread


async def test_a_replaced_frame_is_reported_dropped_and_the_newest_is_analysed() -> None:
    pump = FramePump(max_waiting=2)
    release = threading.Event()
    first = pump.offer("cam", lambda: release.wait(5) and "first")
    runner = asyncio.create_task(pump.run())
    await eventually(lambda: pump.running == 1)  # the first frame is in work
    second = pump.offer("cam", lambda: "second")
    third = pump.offer("cam", lambda: "third")
    release.set()
    try:
        assert await first == "first"
        with pytest.raises(FrameDropped, match="newer frame"):
            await second
        assert await third == "third"
    finally:
        runner.cancel()
        await pump.close()
    assert pump.dropped == 1


async def test_a_source_is_released_only_after_its_follow_up_finishes() -> None:
    pump = FramePump(max_waiting=4)
    order: list[str] = []

    async def finish(label: str) -> None:
        order.append(f"{label} finish start")
        await asyncio.sleep(0.05)  # a slow follow-up: a source released early runs "two" now
        order.append(f"{label} finish end")

    def work(label: str) -> str:
        order.append(f"{label} work")
        return label

    first = pump.offer("cam", lambda: work("one"), finish)
    runner = asyncio.create_task(pump.run())
    await eventually(lambda: pump.running == 1)  # so "two" waits rather than replacing "one"
    second = pump.offer("cam", lambda: work("two"), finish)
    try:
        await asyncio.gather(first, second)
    finally:
        runner.cancel()
        await pump.close()
    assert order == [
        "one work",
        "one finish start",
        "one finish end",
        "two work",
        "two finish start",
        "two finish end",
    ]


async def test_an_error_in_the_work_reaches_the_caller_and_the_pump_goes_on() -> None:
    pump = FramePump(max_waiting=2)
    runner = asyncio.create_task(pump.run())

    def broken() -> str:
        raise ValueError("bad frame")

    try:
        with pytest.raises(ValueError, match="bad frame"):
            await pump.offer("cam", broken)
        assert await pump.offer("cam", lambda: "fine") == "fine"
    finally:
        runner.cancel()
        await pump.close()


async def test_closing_drops_the_frames_still_waiting() -> None:
    pump = FramePump(max_waiting=2)
    waiting = pump.offer("cam", lambda: "never")
    await pump.close()
    with pytest.raises(FrameDropped, match="shutting down"):
        await waiting
