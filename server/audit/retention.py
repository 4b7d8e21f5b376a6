"""The `audit-retention` part: delete audit entries older than `audit_retention_days`, hourly,
in bulk batches; the head's anchor moves with them, so the kept log still verifies
(server/audit/repository.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Final

from server.audit import repository
from server.db import Database
from server.parts import Run

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_S: Final = 3600.0


async def sweep(db: Database, retention_days: float, now: dt.datetime) -> int:
    removed = await repository.remove_older(db, now - dt.timedelta(days=retention_days))
    if removed:
        logger.info("removed %d audit entries past retention", removed)
    return removed


async def sweep_forever(db: Database, retention_days: float) -> None:
    while True:
        await sweep(db, retention_days, dt.datetime.now(dt.UTC))
        await asyncio.sleep(SWEEP_INTERVAL_S)


def parts(db: Database, retention_days: float) -> dict[str, Run]:
    return {"audit-retention": lambda: sweep_forever(db, retention_days)}
