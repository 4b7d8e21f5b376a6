"""Evidence custody: the log, its exports, playback with every view logged, and verification
of both the log's chain and the stored files' hashes. Each of them first asks whether the
caller's role may open this recording's evidence at all (its access class,
server/custody/access.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from server.auth.schemas import Principal
from server.custody import repository
from server.custody.access import access_of, require_evidence_reader
from server.custody.schemas import CustodyCheck, CustodyEntry, CustodyFacts, CustodyKind
from server.db import Database
from server.errors import NotFound
from server.incidents.service import require as require_incident
from server.text import spreadsheet_text
from server.uploads import repository as uploads
from server.uploads.schemas import UploadRecord
from server.uploads.storage import EvidenceStore

CSV_COLUMNS = ("id", "at", "actor", "kind", "reason", "data", "prev_hash", "hash")


async def log(
    db: Database,
    recording_id: str,
    who: Principal,
    kind: CustodyKind,
    reason: str,
    data: dict[str, object] | None = None,
) -> CustodyEntry:
    async with db.write():
        return await repository.append(
            db,
            CustodyFacts(
                recording_id=recording_id,
                at=dt.datetime.now(dt.UTC),
                actor=who.actor,
                kind=kind,
                reason=reason,
                data=data or {},
            ),
        )


async def open_chain(db: Database, recording_id: str, who: Principal) -> list[CustodyEntry]:
    """The custody log, for a caller the recording's access class admits."""
    expected = await uploads.expected_recording(db, recording_id)
    if expected is not None:
        require_evidence_reader(who, access_of(expected))
    return await chain_of(db, recording_id)


async def chain_of(db: Database, recording_id: str) -> list[CustodyEntry]:
    chain = await repository.entries(db, recording_id)
    if not chain:
        raise NotFound(f"Recording {recording_id} has no custody log.")
    return chain


def as_csv(chain: list[CustodyEntry]) -> str:
    """The log for a spreadsheet: text people or devices wrote (actors, reasons, synced
    titles) is never run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in chain:
        writer.writerow(
            [
                entry.id,
                entry.at.isoformat(),
                spreadsheet_text(entry.actor),
                entry.kind.value,
                spreadsheet_text(entry.reason),
                spreadsheet_text(repository.canonical_json(entry.data)),
                entry.prev_hash,
                entry.hash,
            ]
        )
    return out.getvalue()


async def export(
    db: Database, recording_id: str, who: Principal, as_format: str
) -> list[CustodyEntry]:
    """The log to export; the export itself is an entry on it."""
    chain = await open_chain(db, recording_id, who)
    await log(db, recording_id, who, CustodyKind.exported, f"custody log exported as {as_format}")
    return chain


async def verify_one(
    db: Database, store: EvidenceStore, recording_id: str, who: Principal
) -> CustodyCheck:
    chain = await open_chain(db, recording_id, who)
    check = repository.verify(recording_id, chain)
    return await _check_file(db, store, recording_id, check) if check.intact else check


async def evidence_file(
    db: Database, store: EvidenceStore, recording_id: str, who: Principal
) -> tuple[int, UploadRecord]:
    """The verified upload of a recording and its stored size in bytes."""
    expected = await uploads.expected_recording(db, recording_id)
    if expected is not None:
        require_evidence_reader(who, access_of(expected))
    record = await uploads.verified_for(db, recording_id)
    if record is None or record.sha256 is None:
        raise NotFound(f"Recording {recording_id} has no verified file yet.")
    size = await store.backend.size_of(record.sha256)
    if size is None:
        raise NotFound(f"The evidence file of recording {recording_id} is missing.")
    return size, record


async def verify_all(db: Database, store: EvidenceStore) -> list[CustodyCheck]:
    """Check every recording's chain, and every verified file against its recorded hash."""
    checks = []
    for recording_id in await repository.recordings_with_custody(db):
        check = repository.verify(recording_id, await repository.entries(db, recording_id))
        if check.intact:
            check = await _check_file(db, store, recording_id, check)
        checks.append(check)
    return checks


async def _check_file(
    db: Database, store: EvidenceStore, recording_id: str, check: CustodyCheck
) -> CustodyCheck:
    record = await uploads.verified_for(db, recording_id)
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
        recording_id=recording_id, entries=check.entries, intact=False, problem=problem
    )


async def link(
    db: Database, recording_id: str, incident_id: int, reason: str, who: Principal
) -> None:
    await open_chain(db, recording_id, who)
    await require_incident(db, incident_id)
    data: dict[str, object] = {"incident_id": incident_id}
    await log(db, recording_id, who, CustodyKind.linked, reason or "linked to an incident", data)


async def change_category(
    db: Database, recording_id: str, category: str, reason: str, who: Principal
) -> None:
    await open_chain(db, recording_id, who)
    data: dict[str, object] = {"category": category}
    await log(db, recording_id, who, CustodyKind.category_changed, reason, data)
