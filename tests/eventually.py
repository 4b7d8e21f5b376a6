"""Wait for something that follows an action but not at once: a row written after the reply, an
alert raised by the next supervision tick, a process that is up once it answers.

``eventually(check)`` calls ``check`` (a function, sync or async) until it returns a truthy value,
which it then returns. A check may also assert: an ``AssertionError`` counts as "not yet". When
``timeout_s`` passes first, it raises ``AssertionError`` naming the last failure (chained to it
when the check asserted), so a condition that never holds fails the test and never passes
silently. A check that returns ``None`` never holds: end an asserting check with ``return True``
or with the value it checked. ``eventually_blocking`` is the same for tests without an event
loop (a server in another process).

``step_loop()`` is the other way to wait, for a test that shows something does *not* happen
while nothing but the event loop is involved (no thread, socket or timer): it lets every ready
task run many turns over, and no clock time needs to pass.

Nothing here imports the server: the library tests use it in a venv without it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar, cast, overload

T = TypeVar("T")

TIMEOUT_S: Final = 5.0
INTERVAL_S: Final = 0.05
LOOP_TURNS: Final = 20


class _Attempt:
    """The last failure seen, for the message of the timeout."""

    def __init__(self) -> None:
        self.error: AssertionError | None = None
        self.value: object = None

    def failed(self, error: AssertionError) -> None:
        self.error, self.value = error, None

    def falsy(self, value: object) -> None:
        self.error, self.value = None, value

    def timed_out(self, check: Callable[..., object], timeout_s: float) -> AssertionError:
        name = getattr(check, "__qualname__", repr(check))
        if self.error is not None:
            why = f"its last failure: {self.error}"
        else:
            why = f"it last returned {self.value!r}"
        return AssertionError(f"{name} did not hold within {timeout_s} s; {why}")


@overload
async def eventually(
    check: Callable[[], Awaitable[T]], *, timeout_s: float = ..., interval_s: float = ...
) -> T: ...


@overload
async def eventually(
    check: Callable[[], T], *, timeout_s: float = ..., interval_s: float = ...
) -> T: ...


async def eventually(
    check: Callable[[], T | Awaitable[T]],
    *,
    timeout_s: float = TIMEOUT_S,
    interval_s: float = INTERVAL_S,
) -> T:
    """The first truthy value of ``check()``, polled every ``interval_s`` (see the module)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    attempt = _Attempt()
    while True:
        try:
            value = await _called(check)
        except AssertionError as err:
            attempt.failed(err)
        else:
            if value:
                return value
            attempt.falsy(value)
        if loop.time() >= deadline:
            raise attempt.timed_out(check, timeout_s) from attempt.error
        await asyncio.sleep(interval_s)


async def _called(check: Callable[[], T | Awaitable[T]]) -> T:
    result = check()
    if inspect.isawaitable(result):
        return cast(T, await result)
    return result


def eventually_blocking(
    check: Callable[[], T],
    *,
    timeout_s: float = TIMEOUT_S,
    interval_s: float = INTERVAL_S,
) -> T:
    """:func:`eventually` for a check that blocks (no event loop runs in the test)."""
    deadline = time.monotonic() + timeout_s
    attempt = _Attempt()
    while True:
        try:
            value = check()
        except AssertionError as err:
            attempt.failed(err)
        else:
            if value:
                return value
            attempt.falsy(value)
        if time.monotonic() >= deadline:
            raise attempt.timed_out(check, timeout_s) from attempt.error
        time.sleep(interval_s)


async def step_loop(turns: int = LOOP_TURNS) -> None:
    """Yield to the event loop ``turns`` times: whatever ready work there is runs meanwhile."""
    for _ in range(turns):
        await asyncio.sleep(0)
