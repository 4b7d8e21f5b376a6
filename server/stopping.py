"""Stopping `posbon serve` and `posbon demo` on SIGINT (Ctrl+C) or SIGTERM: the listeners and the
database close in order, nothing prints a traceback, and the exit status is 0.

While uvicorn serves it handles both signals itself: it stops taking requests, lets those in
flight finish, returns, and then raises the same signal again for the handler it had replaced.
Outside that window the handler here is in place:

- a signal during start-up (opening the database, migrating, binding the device ports) is kept
  and handed to uvicorn as soon as it serves, so the start-up is never cut off halfway (that
  would leave database threads answering a closed event loop) and the stop is as graceful as
  any other;
- once uvicorn has served, the first signal is its repeat of the one it already acted on, so it
  is ignored and the shutdown runs to its end;
- one more (someone who will not wait, or a start-up stuck on a database that never answers)
  cancels whatever is still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine, Iterator
from types import FrameType
from typing import Any, Final, TypeVar

T = TypeVar("T")
SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


class Stopper:
    def __init__(self) -> None:
        self.asked = False
        """A signal asked the process to stop (a cancelled start-up is then a clean exit)."""
        self._serving = False
        self._signals = 0  # counted since uvicorn started serving, or since start-up began
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def beside_server(self, _: object) -> None:
        """The runner starts this beside uvicorn, so it runs once uvicorn holds the signals."""
        self._serving = True
        self._signals = 0
        if self.asked:
            signal.raise_signal(signal.SIGTERM)  # the stop asked during start-up, for uvicorn

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        # Installed before asyncio.Runner starts, which then leaves SIGINT alone.
        before = {number: signal.signal(number, self._on_signal) for number in SIGNALS}
        try:
            yield
        finally:
            for number, handler in before.items():
                signal.signal(number, handler)

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Await ``work`` in the task that an insistent signal cancels."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        return await work

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        del number, frame
        self.asked = True
        self._signals += 1
        if self._signals == 1:
            return  # during start-up: kept for uvicorn; after serving: uvicorn's repeat
        if self._task is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
