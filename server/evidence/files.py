"""Verified evidence files read back: playback for the callers a recording's access class
admits, and the check of each file against the SHA-256 its upload recorded.

The custody log (server/custody) says what happened to a recording; the file is kept here, by
the upload that verified it. A check therefore runs in two steps: the log's own chain first
(custody), then, only for an intact chain, the file it vouches for.
"""

from __future__ import annotations

from server.auth.schemas import Principal
from server.custody import service as custody
from server.custody.schemas import CustodyCheck
from server.db import Database
from server.errors import NotFound
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
