"""The running server's parts: every long-lived task, supervised so that none dies in silence.

A *part* is a named coroutine that should run as long as the server does: a device listener
(``dc09-udp``, ``gt06`` …), a commit loop, a timer job (``deadlines``, ``upload-expiry`` …), the
relay hub. :class:`Parts` starts each one and watches it. When a part raises (or returns, which a
part never should) the failure is

* logged at ERROR with its traceback the moment it happens,
* counted in ``posbon_part_failures_total{part=…}``, with ``posbon_part_up{part=…}`` at 0,
* reported by ``/ready`` (503, the part named) until the part runs again,
* and the part is started again after a backoff that doubles from ``RESTART_FIRST_S`` up to
  ``RESTART_MAX_S`` and falls back once a run has lasted ``STABLE_AFTER_S``.

A part's function is called afresh for every run, so it should (re)acquire what it needs: a
listener rebinds its port, a job reopens its cursor. Binding a port that is taken *at start-up*
is not a part failure: the server refuses to start (server/runner.py) before any part runs.

Fault drills: with ``--fault-drills`` an admin may crash a running part on purpose
(``POST /api/v1/system/parts/{name}/crash``) to see the alerting and the restart happen; the
crash goes through exactly the failure path above.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Final

from server.metrics import Metrics

logger = logging.getLogger(__name__)

RESTART_FIRST_S: Final = 0.5
RESTART_MAX_S: Final = 30.0
STABLE_AFTER_S: Final = 60.0
"""A run that lasted this long resets the backoff: its next failure restarts it quickly again."""

Run = Callable[[], Awaitable[None]]


class PartState(enum.StrEnum):
    RUNNING = "running"
    RESTARTING = "restarting"


class PartEnded(RuntimeError):
    """A part's coroutine returned: parts run until the server stops, so this is a failure."""


class FaultDrill(RuntimeError):
    """An admin crashed this part on purpose (``--fault-drills``)."""


class UnknownPart(KeyError):
    pass


class _Part:
    def __init__(self, name: str, run: Run) -> None:
        self.name = name
        self.run = run
        self.state = PartState.RUNNING
        self.failures = 0
        self.current: asyncio.Task[None] | None = None
        self.drilled = False


class Parts:
    """Starts, watches and restarts the server's parts; ``close`` stops them all."""

    def __init__(
        self,
        metrics: Metrics,
        *,
        restart_first_s: float = RESTART_FIRST_S,
        restart_max_s: float = RESTART_MAX_S,
    ) -> None:
        self._metrics = metrics
        self._restart_first_s = restart_first_s
        self._restart_max_s = restart_max_s
        self._parts: dict[str, _Part] = {}
        self._keepers: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, run: Run) -> None:
        """Run ``run()`` as the part ``name`` until :meth:`stop` or :meth:`close`."""
        if name in self._parts:
            raise ValueError(f"a part named {name!r} is already running")
        part = _Part(name, run)
        self._parts[name] = part
        self._metrics.part_up.labels(name).set(1)
        self._keepers[name] = asyncio.create_task(self._keep(part), name=f"part:{name}")

    def states(self) -> dict[str, PartState]:
        return {name: part.state for name, part in sorted(self._parts.items())}

    def failed(self) -> list[str]:
        """The parts not running now (failed and waiting to restart)."""
        return [name for name, state in self.states().items() if state is PartState.RESTARTING]

    def crash(self, name: str) -> None:
        """Fail the part's current run on purpose (a fault drill)."""
        part = self._parts.get(name)
        if part is None:
            raise UnknownPart(name)
        if part.current is not None and not part.current.done():
            part.drilled = True
            part.current.cancel()
            # Down from this moment, not from when its clean-up ends (a lease release may take
            # a database round trip): /ready must already name it.
            part.state = PartState.RESTARTING
            self._metrics.part_up.labels(name).set(0)

    async def stop(self, *names: str) -> None:
        keepers = [self._keepers.pop(name) for name in names if name in self._keepers]
        for name in names:
            if self._parts.pop(name, None) is not None:
                self._metrics.part_up.remove(name)
        for keeper in keepers:
            keeper.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)

    async def close(self) -> None:
        await self.stop(*list(self._keepers))

    async def _keep(self, part: _Part) -> None:
        delay_s = self._restart_first_s
        while True:
            started_s = time.monotonic()
            error = await self._run_once(part)
            if time.monotonic() - started_s >= STABLE_AFTER_S:
                delay_s = self._restart_first_s
            self._failed(part, error, delay_s)
            await asyncio.sleep(delay_s)
            delay_s = min(delay_s * 2, self._restart_max_s)
            part.state = PartState.RUNNING
            self._metrics.part_up.labels(part.name).set(1)
            logger.warning("part %s restarted after a failure", part.name)

    async def _run_once(self, part: _Part) -> BaseException:
        """Run the part once; return what ended it. Only the keeper's own cancellation (the
        server stopping) propagates."""
        part.current = asyncio.create_task(_call(part.run), name=part.name)
        try:
            await asyncio.shield(part.current)
        except asyncio.CancelledError as err:
            # We are being stopped (not the part) when our own task carries a cancellation
            # request; the part's task may have just ended in the same turn of the loop.
            stopping = asyncio.current_task().cancelling() > 0  # type: ignore[union-attr]
            if stopping:
                part.current.cancel()
                with contextlib.suppress(BaseException):
                    await part.current
                raise
            if part.drilled:
                part.drilled = False
                return _drill_error(err)
            return PartEnded(f"part {part.name} was cancelled from inside")
        except Exception as err:  # noqa: BLE001  (any failure of a part is what we report)
            return err
        return PartEnded(f"part {part.name} stopped by itself")

    def _failed(self, part: _Part, error: BaseException, delay_s: float) -> None:
        part.state = PartState.RESTARTING
        part.failures += 1
        self._metrics.part_failures.labels(part.name).inc()
        self._metrics.part_up.labels(part.name).set(0)
        logger.error(
            "part %s failed (failure %d); restarting in %.1f s",
            part.name,
            part.failures,
            delay_s,
            exc_info=error,
        )


async def _call(run: Run) -> None:
    await run()


def _drill_error(cancelled: asyncio.CancelledError) -> FaultDrill:
    error = FaultDrill("crashed on purpose by a fault drill")
    error.__cause__ = cancelled  # the log then shows where the part was when it was crashed
    return error
