"""Frames waiting for recognition: a bounded queue in front of one worker thread.

Theory of operation. Inference is CPU-bound and slower than cameras can deliver, so frames must
be dropped somewhere, and the place is here, before any work is spent on them. ``FrameQueue`` is
the pure policy: each source (a camera, or one direct request) has at most one frame waiting; a
newer frame from the same source replaces the waiting one and keeps its place in line, so a busy
camera cannot starve a quiet one; when ``max_waiting`` sources wait, a new source's frame is
refused. A source never has two frames in work at once, so everything that follows a frame (the
cooldown, the alert) sees that source's frames in order.

``FramePump`` is the asyncio side: ``offer`` returns a future; the pump runs each frame's CPU work
in its one thread and its follow-up coroutine on the event loop, and releases the source only when
the follow-up is done. Memory is bounded by ``max_waiting`` frames plus one per running source.
"""

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar, overload

from recognition.errors import RecognitionError

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class Offer(enum.Enum):
    QUEUED = "queued"
    REPLACED = "replaced"  # this frame took the place of the source's waiting frame
    REFUSED = "refused"  # the queue is full: this frame was not taken


class FrameDropped(RecognitionError):
    """A frame was not analysed: a newer one replaced it, or the queue was full."""


class FrameQueue(Generic[T]):
    """Which frame runs next (pure policy, no locks, no clock)."""

    def __init__(self, max_waiting: int) -> None:
        if max_waiting < 1:
            raise ValueError("max_waiting must be at least 1")
        self.max_waiting = max_waiting
        self._waiting: dict[str, T] = {}  # insertion order is the line
        self._running: set[str] = set()

    def __len__(self) -> int:
        return len(self._waiting)

    @property
    def running(self) -> int:
        return len(self._running)

    def is_waiting(self, key: str) -> bool:
        return key in self._waiting

    def put(self, key: str, item: T) -> tuple[Offer, T | None]:
        """Queue ``item``; returns the outcome and the item dropped by it, if any."""
        if key in self._waiting:
            replaced = self._waiting[key]
            self._waiting[key] = item  # assigning to an existing key keeps its place
            return Offer.REPLACED, replaced
        if len(self._waiting) >= self.max_waiting:
            return Offer.REFUSED, item
        self._waiting[key] = item
        return Offer.QUEUED, None

    def take(self) -> tuple[str, T] | None:
        """The oldest waiting frame whose source is idle; its source becomes busy."""
        for key in self._waiting:
            if key not in self._running:
                self._running.add(key)
                return key, self._waiting.pop(key)
        return None

    def release(self, key: str) -> None:
        self._running.discard(key)


class _Job:
    def __init__(
        self,
        work: Callable[[], Any],
        finish: Callable[[Any], Awaitable[Any]] | None,
        future: "asyncio.Future[Any]",
    ) -> None:
        self.work, self.finish, self.future = work, finish, future


def _settle(
    future: "asyncio.Future[Any]", result: Any = None, error: BaseException | None = None
) -> None:
    if future.done():  # the caller gave up waiting (a closed HTTP request): nothing to tell
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class FramePump:
    """One worker thread fed by a ``FrameQueue``; every method but ``is_waiting`` runs on the
    event loop."""

    def __init__(self, max_waiting: int, thread_name: str = "recognition") -> None:
        self._queue: FrameQueue[_Job] = FrameQueue(max_waiting)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._wake = asyncio.Event()
        self._follow_ups: set[asyncio.Task[None]] = set()
        self.dropped = 0

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @property
    def running(self) -> int:
        return self._queue.running

    def is_waiting(self, key: str) -> bool:
        """Whether a frame of ``key`` waits; safe from any thread (one dict lookup under the
        GIL), so a camera reader can skip decoding a frame that would only replace another."""
        return self._queue.is_waiting(key)

    @overload
    def offer(self, key: str, work: Callable[[], R]) -> "asyncio.Future[R]": ...

    @overload
    def offer(
        self, key: str, work: Callable[[], R], finish: Callable[[R], Awaitable[T]]
    ) -> "asyncio.Future[T]": ...

    def offer(
        self,
        key: str,
        work: Callable[[], Any],
        finish: Callable[[Any], Awaitable[Any]] | None = None,
    ) -> "asyncio.Future[Any]":
        """Queue ``work`` (run in the worker thread), then ``finish(result)`` (on the loop).

        The future holds what ``finish`` returns (or the work's result without one), or raises
        ``FrameDropped`` when the frame is replaced or refused.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        outcome, dropped = self._queue.put(key, _Job(work, finish, future))
        if dropped is not None:
            self.dropped += 1
            reason = "a newer frame replaced it" if outcome is Offer.REPLACED else "queue full"
            _settle(dropped.future, error=FrameDropped(f"frame from {key} dropped: {reason}"))
        self._wake.set()
        return future

    async def call(self, work: Callable[[], R]) -> R:
        """Run ``work`` in the worker thread now, outside the queue (model loading)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def run(self) -> None:
        """Serve the queue until cancelled."""
        while True:
            taken = self._queue.take()
            if taken is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            key, job = taken
            try:
                result = await self.call(job.work)
            except Exception as err:  # noqa: BLE001  (the frame's owner hears of it, not the pump)
                self._queue.release(key)
                _settle(job.future, error=err)
                continue
            follow_up = asyncio.create_task(self._follow_up(key, job, result))
            self._follow_ups.add(follow_up)
            follow_up.add_done_callback(self._follow_ups.discard)

    async def _follow_up(self, key: str, job: _Job, result: Any) -> None:
        try:
            outcome = result if job.finish is None else await job.finish(result)
        except Exception as err:  # noqa: BLE001  (handed to whoever awaits the frame)
            _settle(job.future, error=err)
        else:
            _settle(job.future, outcome)
        finally:
            self._queue.release(key)
            self._wake.set()

    async def close(self) -> None:
        """Stop taking frames; frames still waiting are dropped."""
        for task in list(self._follow_ups):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._follow_ups, return_exceptions=True)
        while (taken := self._queue.take()) is not None:
            _settle(taken[1].future, error=FrameDropped("recognition is shutting down"))
        self._executor.shutdown(wait=False, cancel_futures=True)
