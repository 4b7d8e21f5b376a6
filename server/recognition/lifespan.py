"""Recognition's background work while the server runs: the frame pump, the camera supervisor
(pull workers, and loading the models as soon as any camera is registered), the crop retention
sweep (with the shared cooldown's expired rows), the plate read log's writer and retention
sweep (server.plates.reads), and the reloads that keep the node's watchlists and plate lists in
step with every node's changes (server.recognition.lists).

A server without cameras loads nothing until the first recognition request, so `posbon serve`
(and the demo) never wait for models.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Final

from server.parts import Parts, Run
from server.plates import reads as plate_reads
from server.recognition import crops, subjects
from server.recognition.lists import ListKeeper
from server.recognition.runtime import Recognition
from server.recognition.workers import PullSupervisor
from server.relay.bus import Bus

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_S: Final = 3600.0


async def sweep_forever(rec: Recognition) -> None:
    """Every hour: crops past their retention, and the shared cooldown's rows that no camera's
    cooldown can reach any more (server.recognition.subjects)."""
    retention = dt.timedelta(days=rec.settings.crop_retention_days)
    root = crops.crops_root(rec.settings.data_path)
    horizon = dt.timedelta(seconds=subjects.horizon_s(rec.settings.recognition_cooldown_s))
    while True:
        now = dt.datetime.now(dt.UTC)
        removed = await crops.sweep(rec.db, root, retention, now)
        if removed:
            logger.info("removed %d recognition crops past retention", removed)
        forgotten = await subjects.sweep(rec.db, now - horizon)
        if forgotten:
            logger.info("forgot %d subjects past the longest cooldown", forgotten)
        await asyncio.sleep(SWEEP_INTERVAL_S)


def list_parts(rec: Recognition, bus: Bus) -> dict[str, Run]:
    """The parts that reload a watchlist or plate list changed on any node: those its doorbell
    names, and those the revision check finds changed without one."""
    keeper = ListKeeper(rec)
    bus.listen(keeper.heard)
    every_s = rec.settings.recognition_list_check_s
    return {
        "recognition-list-reloads": keeper.run_reloads,
        "recognition-list-check": lambda: keeper.check_forever(every_s),
    }


@contextlib.asynccontextmanager
async def running(rec: Recognition, parts: Parts) -> AsyncIterator[None]:
    """Run recognition's parts until the block ends, then stop the workers and the pump."""
    supervisor = PullSupervisor(rec)
    names = {
        "recognition-pump": rec.pump.run,
        "camera-workers": supervisor.run_forever,
        "crop-retention": lambda: sweep_forever(rec),
        "plate-read-log": lambda: rec.plate_reads.run_forever(rec.db),
        "plate-read-retention": lambda: plate_reads.sweep_forever(
            rec.db, rec.settings.plate_read_retention_days
        ),
    }
    for name, run in names.items():
        parts.start(name, run)
    try:
        yield
    finally:
        await parts.stop(*names)
        await supervisor.close()
        await rec.pump.close()
