"""The retention job: delete the files of recordings whose retention has ended, keep their
metadata as a tombstone, and write exactly one DELETED entry on each one's custody log.

Theory of operation. One run takes three steps, each safe to repeat:

1. **assign**: every verified recording without retention gets its category; new incident links
   lengthen (server/evidence/retention.py).
2. **claim**: each expired, unheld recording goes kept → deleting with a conditional UPDATE
   (only a row still kept and still expired moves), in the transaction that checked its holds.
3. **delete**: each recording in `deleting` (claimed now, or left so by a run that stopped) is
   checked for holds once more, its file removed from the store unless another live recording
   shares the same bytes (removal of a missing file is success), and then, in one transaction,
   deleting → deleted and the DELETED custody entry. Only the run whose UPDATE moved the row
   writes the entry.

A run that stops after a claim leaves the row in `deleting`: the next run finishes it. One that
stops after removing the file but before its commit finds the file gone, removes nothing more,
and logs once. Nothing is ever acknowledged as deleted before the file is.

The core, `run_once`, takes `now`, so a test moves the clock instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from server.custody.schemas import CustodyKind
from server.db import Database
from server.evidence import holds, retention
from server.evidence import retention_repository as repository
from server.evidence.retention_log import SYSTEM_ACTOR, note, when
from server.evidence.retention_schemas import RetentionRow, RetentionState, RunReport
from server.uploads.evidence.base import EvidenceBackend

logger = logging.getLogger(__name__)
Progress = Callable[[int], object]
"""Told how many recordings were just dealt with (a progress bar's `update`)."""


async def _claim(db: Database, row: RetentionRow, now: dt.datetime) -> bool | None:
    """True when claimed, False when held, None when another run or a change came first."""
    async with db.write():
        await repository.find(db, row.recording_id, lock=True)
        if await holds.holding(db, row.recording_id):
            return False
        return True if await repository.claim(db, row.recording_id, now) else None


async def _delete(
    db: Database, backend: EvidenceBackend, row: RetentionRow, now: dt.datetime
) -> tuple[bool, bool]:
    """(deleted, file removed) for one claimed recording."""
    present = await backend.size_of(row.sha256) is not None
    if present and await holds.holding(db, row.recording_id):
        async with db.write():
            await repository.unclaim(db, row.recording_id)
        logger.info("recording %s held while being deleted: kept", row.recording_id)
        return False, False
    shared = await repository.file_shared(db, row.sha256, row.recording_id)
    if not shared:
        await backend.delete(row.sha256)
    reason = f"retention ended: {row.category} expired at {when(row.expires_at)}"
    data: dict[str, object] = {
        "sha256": row.sha256,
        "category": row.category,
        "expires_at": when(row.expires_at),
        "file": "kept: another recording has the same file" if shared else "deleted",
        "where": backend.where(row.sha256),
    }
    async with db.write():
        if not await repository.mark_deleted(db, row.recording_id, now, reason):
            return False, False  # another run finished it first and logged it
        await note(db, row.recording_id, now, SYSTEM_ACTOR, CustodyKind.DELETED, reason, data)
    logger.info("recording %s deleted at the end of its retention", row.recording_id)
    return True, not shared


async def run_once(
    db: Database, backend: EvidenceBackend, now: dt.datetime, progress: Progress | None = None
) -> RunReport:
    report = RunReport(assigned=await retention.assign_all(db, now))
    for row in await repository.due(db, now):
        report.expired += 1
        claimed = await _claim(db, row, now)
        report.held += claimed is False
    for row in await repository.in_state(db, RetentionState.DELETING):
        deleted, removed = await _delete(db, backend, row, now)
        report.deleted += deleted
        report.files_deleted += removed
        if progress is not None:
            progress(1)
    return report


async def run_forever(db: Database, backend: EvidenceBackend, every_s: float) -> None:
    """Run now and then every `every_s`; a failed run (a store down) is retried next time."""
    while True:
        try:
            report = await run_once(db, backend, dt.datetime.now(dt.UTC))
        except Exception:  # the loop must outlive one bad run: the next one resumes it
            logger.exception("retention run failed")
        else:
            if report.deleted or report.held:
                logger.info(
                    "retention: %s recordings deleted, %s expired but held",
                    report.deleted,
                    report.held,
                )
        await asyncio.sleep(every_s)
