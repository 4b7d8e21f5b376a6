"""Parts: a failed long-lived task is logged at ERROR with its traceback, counted, reported as
failed until it runs again, and restarted with a growing backoff."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator

import pytest

from server.metrics import Metrics
from server.parts import Parts, UnknownPart
from tests.eventually import eventually

FIRST_S = 0.05
WAIT_S = 5.0


@pytest.fixture
async def parts() -> AsyncIterator[Parts]:
    running = Parts(Metrics(), restart_first_s=FIRST_S, restart_max_s=4 * FIRST_S)
    yield running
    await running.close()


def failures(parts: Parts, name: str) -> float:
    value = parts._metrics.registry.get_sample_value("posbon_part_failures_total", {"part": name})
    return value or 0.0


def up(parts: Parts, name: str) -> float | None:
    return parts._metrics.registry.get_sample_value("posbon_part_up", {"part": name})


class Flaky:
    """A part that fails on its first ``fail_times`` runs, then serves until cancelled."""

    def __init__(self, fail_times: int) -> None:
        self.fail_times = fail_times
        self.runs = 0
        self.serving = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.runs <= self.fail_times:
            raise OSError(f"listener broke on run {self.runs}")
        self.serving.set()
        await asyncio.Event().wait()


async def test_a_failed_part_is_logged_counted_reported_and_restarted(
    parts: Parts, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = Flaky(fail_times=1)
    with caplog.at_level(logging.ERROR, logger="server.parts"):
        parts.start("dc09-udp", flaky.run)
        await eventually(lambda: failures(parts, "dc09-udp") == 1)
        assert parts.failed() == ["dc09-udp"]
        assert up(parts, "dc09-udp") == 0
        await asyncio.wait_for(flaky.serving.wait(), WAIT_S)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "dc09-udp" in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert "listener broke on run 1" in caplog.text  # the traceback names the real error
    assert parts.failed() == []
    assert up(parts, "dc09-udp") == 1
    assert flaky.runs == 2


async def test_restarts_back_off_while_a_part_keeps_failing() -> None:
    parts = Parts(Metrics(), restart_first_s=0.1, restart_max_s=0.4)
    started: list[float] = []

    async def broken() -> None:
        started.append(asyncio.get_running_loop().time())
        raise RuntimeError("still broken")

    parts.start("deadlines", broken)
    try:
        await eventually(lambda: len(started) >= 5)
    finally:
        await parts.close()
    gaps = [later - earlier for earlier, later in itertools.pairwise(started)]
    # sleeps never end early, so these lower bounds hold however busy the machine is
    assert gaps[0] < 0.2
    assert gaps[1] >= 0.2
    assert gaps[2] >= 0.4
    assert 0.4 <= gaps[3] < 0.75  # capped at restart_max_s, not doubled to 0.8


async def test_a_part_that_returns_is_a_failure(
    parts: Parts, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[int] = []

    async def ends() -> None:
        runs.append(1)

    with caplog.at_level(logging.ERROR, logger="server.parts"):
        parts.start("relay-hub", ends)
        await eventually(lambda: failures(parts, "relay-hub") >= 1)
    assert "stopped by itself" in caplog.text


async def test_a_fault_drill_fails_the_part_like_a_real_error(
    parts: Parts, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = Flaky(fail_times=0)
    parts.start("gt06", flaky.run)
    await asyncio.wait_for(flaky.serving.wait(), WAIT_S)
    flaky.serving.clear()
    with caplog.at_level(logging.ERROR, logger="server.parts"):
        parts.crash("gt06")
        await eventually(lambda: failures(parts, "gt06") == 1)
        await asyncio.wait_for(flaky.serving.wait(), WAIT_S)
    assert "fault drill" in caplog.text
    assert flaky.runs == 2


async def test_closing_in_the_turn_a_restarted_run_ends_still_stops() -> None:
    """The keeper is stopped in the very loop turn in which the part's second run returned:
    its own cancellation, not the part's ending, decides (this once hung the close)."""
    parts = Parts(Metrics(), restart_first_s=FIRST_S, restart_max_s=4 * FIRST_S)
    runs: list[int] = []

    async def ends() -> None:
        runs.append(1)

    parts.start("relay-hub", ends)
    while len(runs) < 2:
        await asyncio.sleep(0)  # one turn at a time: close in the turn the run ended
    await asyncio.wait_for(parts.close(), WAIT_S)
    assert parts.states() == {}


async def test_crashing_an_unknown_part_names_it(parts: Parts) -> None:
    with pytest.raises(UnknownPart):
        parts.crash("no-such-part")


async def test_stopping_parts_is_quiet_and_cancels_their_runs(
    parts: Parts, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = Flaky(fail_times=0)
    parts.start("upload-expiry", flaky.run)
    await asyncio.wait_for(flaky.serving.wait(), WAIT_S)
    with caplog.at_level(logging.WARNING, logger="server.parts"):
        await parts.stop("upload-expiry")
    assert caplog.records == []
    assert parts.states() == {}
    assert up(parts, "upload-expiry") is None


async def test_two_parts_cannot_share_a_name(parts: Parts) -> None:
    parts.start("reconcile", Flaky(0).run)
    with pytest.raises(ValueError, match="reconcile"):
        parts.start("reconcile", Flaky(0).run)
