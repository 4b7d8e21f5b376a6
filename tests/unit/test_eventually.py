"""The one waiting helper: it returns what held, waits while a check is falsy or asserts, and fails
when the time is up (never passes silently)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.eventually import eventually, eventually_blocking, step_loop

SHORT_S = 0.05
STEP_S = 0.001


async def test_a_sync_check_that_holds_at_once_gives_its_value() -> None:
    assert await eventually(lambda: "there") == "there"


async def test_an_async_check_is_awaited_until_its_value_is_truthy() -> None:
    calls = itertools.count(1)

    async def third_time() -> int:
        call = next(calls)
        return call if call >= 3 else 0

    assert await eventually(third_time, interval_s=STEP_S) == 3


async def test_a_check_that_asserts_is_retried_until_it_stops() -> None:
    calls = itertools.count(1)

    def third_time() -> int:
        call = next(calls)
        assert call >= 3, f"call {call}"
        return call

    assert await eventually(third_time, interval_s=STEP_S) == 3


async def test_other_errors_are_not_swallowed() -> None:
    def broken() -> bool:
        raise KeyError("no such row")

    with pytest.raises(KeyError):
        await eventually(broken)


async def test_a_condition_that_never_holds_fails_naming_its_last_value() -> None:
    def never() -> list[int]:
        return []

    with pytest.raises(AssertionError, match=r"never did not hold within .* returned \[\]"):
        await eventually(never, timeout_s=SHORT_S, interval_s=STEP_S)


async def test_an_assertion_that_never_passes_fails_with_it() -> None:
    rows: list[int] = []

    async def some_rows() -> bool:
        assert rows, "no rows yet"
        return True

    with pytest.raises(AssertionError, match="its last failure: no rows yet") as failed:
        await eventually(some_rows, timeout_s=SHORT_S, interval_s=STEP_S)
    assert isinstance(failed.value.__cause__, AssertionError)


async def test_a_check_that_returns_none_never_holds() -> None:
    def forgot_to_return() -> None:
        return None

    with pytest.raises(AssertionError, match="returned None"):
        await eventually(forgot_to_return, timeout_s=SHORT_S, interval_s=STEP_S)


async def test_the_loop_keeps_running_while_it_waits() -> None:
    happened = asyncio.Event()
    asyncio.get_running_loop().call_soon(happened.set)
    assert await eventually(happened.is_set, interval_s=STEP_S)


def test_the_blocking_twin_waits_and_fails_alike() -> None:
    calls = itertools.count(1)
    assert eventually_blocking(lambda: next(calls) >= 3, interval_s=STEP_S)
    with pytest.raises(AssertionError, match="returned False"):
        eventually_blocking(lambda: False, timeout_s=SHORT_S, interval_s=STEP_S)


async def test_stepping_the_loop_runs_what_is_ready() -> None:
    steps: list[int] = []

    async def three_steps() -> None:
        for step in range(3):
            steps.append(step)
            await asyncio.sleep(0)

    task = asyncio.create_task(three_steps())
    await step_loop()
    assert task.done()
    assert steps == [0, 1, 2]
