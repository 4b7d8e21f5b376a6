"""The plate read log: every plate a camera frame showed, kept for the retention period.

Off the alert path. The frame's handler only appends its reads to an in-memory buffer
(``PlateReadLog.add``, no I/O); the ``plate-read-log`` part writes the buffer in one multi-row
statement per batch, as *bulk* work (on SQLite it waits behind every alarm commit), about once
a second or as soon as a batch is full. A read therefore reaches the log within a second or
two, and a crash loses at most that last second of reads (never an alert: alerts commit on
their own path). A database that is down keeps reads buffered up to ``MAX_BUFFERED`` rows; past
that the oldest are dropped, counted and logged, so the log never grows memory without bound.

Retention: the ``plate-read-retention`` part deletes reads older than
``plate_read_retention_days`` every hour, in batches, as bulk work.

What is kept: camera, site, the read (canonical text, as displayed, its search key and its
confidence), the time (UTC) and the id of the crop only where one was stored already (an alert's
crop). No crop is ever cut or kept for an unlisted plate.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Final

import msgspec

from server.db import Database
from server.plates import reads_repository
from server.plates.reads_match import search_key
from server.plates.reads_repository import NewPlateRead

logger = logging.getLogger(__name__)

FLUSH_INTERVAL_S: Final = 1.0
BATCH_ROWS: Final = 500
MAX_BUFFERED: Final = 100_000
SWEEP_INTERVAL_S: Final = 3600.0
MAX_PLATE_CHARS: Final = 32


class FrameRead(msgspec.Struct, frozen=True, kw_only=True):
    """One plate as the recognition thread read it from a frame."""

    text: str
    display: str
    confidence: float


class PlateReadLog:
    """The buffer between the recognition path and the plate_reads table (module docstring)."""

    def __init__(self, max_buffered: int = MAX_BUFFERED) -> None:
        self._rows: list[NewPlateRead] = []
        self._max_buffered = max_buffered
        self._full = asyncio.Event()
        self.dropped = 0
        self.written = 0

    @property
    def buffered(self) -> int:
        return len(self._rows)

    def add(
        self,
        camera_id: int,
        site_id: int | None,
        reads: list[FrameRead],
        crops: dict[str, int],
        read_at: dt.datetime,
    ) -> None:
        """Queue a frame's reads; ``crops`` maps a read's text to the crop its alert stored."""
        for read in reads:
            text = read.text[:MAX_PLATE_CHARS]
            self._rows.append(
                NewPlateRead(
                    camera_id=camera_id,
                    site_id=site_id,
                    plate=text,
                    display=read.display[:48],
                    search_key=search_key(text),
                    confidence=read.confidence,
                    crop_id=crops.get(read.text),
                    read_at=read_at,
                )
            )
        excess = len(self._rows) - self._max_buffered
        if excess > 0:
            del self._rows[:excess]
            self.dropped += excess
            logger.warning("plate read log full: dropped the %d oldest reads", excess)
        if len(self._rows) >= BATCH_ROWS:
            self._full.set()

    async def flush(self, db: Database) -> int:
        """Write what is buffered, batch by batch; returns how many rows were written. A batch
        that fails goes back to the front of the buffer."""
        total = 0
        while self._rows:
            batch, self._rows = self._rows[:BATCH_ROWS], self._rows[BATCH_ROWS:]
            try:
                async with db.write(bulk=True):
                    await reads_repository.insert_reads(db, batch)
            except BaseException:
                self._rows[:0] = batch
                raise
            total += len(batch)
            self.written += len(batch)
        self._full.clear()
        return total

    async def run_forever(self, db: Database) -> None:
        """The ``plate-read-log`` part: flush about every second, sooner when a batch is full,
        and once more when stopped."""
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), FLUSH_INTERVAL_S)
                await self.flush(db)
        finally:
            if self._rows:
                with contextlib.suppress(Exception):
                    await asyncio.shield(self.flush(db))


async def sweep_forever(db: Database, retention_days: float) -> None:
    """The ``plate-read-retention`` part: delete reads past the retention period, hourly."""
    retention = dt.timedelta(days=retention_days)
    while True:
        removed = await reads_repository.delete_older(db, dt.datetime.now(dt.UTC) - retention)
        if removed:
            logger.info("removed %d plate reads past retention", removed)
        await asyncio.sleep(SWEEP_INTERVAL_S)
