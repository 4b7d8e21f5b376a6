"""Verified evidence files read back: playback for the callers a recording's access class
admits, and the check of each file against the SHA-256 its upload recorded.

The custody log (server/custody) says what happened to a recording; the file is kept here, by
the upload that verified it. A check therefore runs in two steps: the log's own chain first
(custody), then, only for an intact chain, the file it vouches for.

A file that retention deleted (server/evidence/retention_job.py) is a tombstone: playback
answers 410 `evidence_deleted` with when and why, and the check reports the deletion, which the
log records, instead of a missing file.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from server.auth.schemas import Principal
from server.custody import service as custody
from server.custody.schemas import CustodyCheck, CustodyKind
from server.db import Database
from server.errors import NotFound
from server.evidence import retention_repository
from server.evidence.retention_changes import require_kept
from server.uploads import repository
from server.uploads.schemas import UploadRecord
from server.uploads.storage import EvidenceStore


async def evidence_file(
    db: Database, store: EvidenceStore, recording_id: str, who: Principal
) -> tuple[int, UploadRecord]:
    """The verified upload of a recording and its stored size in bytes."""
    await custody.require_reader(db, recording_id, who)
    record = await repository.verified_for(db, recording_id)
    if record is None or record.sha256 is None:
        raise NotFound(f"Recording {recording_id} has no verified file yet.")
    retained = await retention_repository.find(db, recording_id)
    if retained is not None:
        require_kept(retained)  # 410 evidence_deleted, with when and why
    size = await store.backend.size_of(record.sha256)
    if size is None:
        raise NotFound(f"The evidence file of recording {recording_id} is missing.")
    return size, record


async def verify_one(
    db: Database, store: EvidenceStore, recording_id: str, who: Principal
) -> CustodyCheck:
    """Check one recording's custody chain and then its file, for a caller who may open it."""
    check = await custody.check_chain(db, recording_id, who)
    return await _check_file(db, store, check) if check.intact else check


async def verify_all(db: Database, store: EvidenceStore) -> list[CustodyCheck]:
    """Check every recording's chain, and every verified file against its recorded hash."""
    return [
        await _check_file(db, store, check) if check.intact else check
        for check in await custody.check_every_chain(db)
    ]


async def _check_file(db: Database, store: EvidenceStore, check: CustodyCheck) -> CustodyCheck:
    record = await repository.verified_for(db, check.recording_id)
    if record is None or record.sha256 is None:
        return check
    retained = await retention_repository.find(db, check.recording_id)
    if retained is not None and retained.deleted_at is not None:
        return await _deleted(db, check, retained.deleted_at)
    where = store.backend.where(record.sha256)
    if await store.backend.size_of(record.sha256) is None:
        problem = f"the evidence file {where} is missing"
    elif await store.backend.sha256_of(record.sha256) != record.sha256:
        problem = f"the evidence file {where} no longer has its recorded SHA-256"
    else:
        return check
    return CustodyCheck(
        recording_id=check.recording_id, entries=check.entries, intact=False, problem=problem
    )


async def _deleted(db: Database, check: CustodyCheck, deleted_at: dt.datetime) -> CustodyCheck:
    """A file deleted at the end of its retention is a tombstone, not a loss, as long as the
    log (whose chain is intact) records its deletion."""
    chain = await custody.chain_of(db, check.recording_id)
    if any(entry.kind is CustodyKind.DELETED for entry in chain):
        return msgspec.structs.replace(check, file_deleted_at=deleted_at)
    problem = "the evidence file is marked deleted but the custody log records no deletion"
    return CustodyCheck(
        recording_id=check.recording_id, entries=check.entries, intact=False, problem=problem
    )
