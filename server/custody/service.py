"""Evidence custody: the log, its exports, links and categories, and the check of its chain.
Each of them first asks whether the caller's role may open this recording's evidence at all
(its access class, server/custody/access.py). The evidence files themselves (playback, their
hashes) are read where they are kept, in server/evidence/files.py, which logs here."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Final

from server.audit.log import record
from server.auth.schemas import Principal
from server.custody import repository
from server.custody.access import access_of, require_evidence_reader
from server.custody.schemas import CustodyCheck, CustodyEntry, CustodyFacts, CustodyKind
from server.db import Database
from server.errors import NotFound
from server.incidents.service import require as require_incident
from server.sync.recordings import synced_recording
from server.text import spreadsheet_text

AUDITED: Final = {
    CustodyKind.VIEWED: "recording.view",
    CustodyKind.EXPORTED: "export.recording",
    CustodyKind.SHARED: "recording.share",
    CustodyKind.SHARE_REVOKED: "recording.share_revoke",
}
"""Custody entries that are also audit entries: who looked at, exported or shared evidence."""
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
        action = AUDITED.get(kind)
        if action is not None:
            target = f"recording:{recording_id}"
            await record(db, action=action, actor=who, target=target, detail=reason)
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


async def require_reader(db: Database, recording_id: str, who: Principal) -> None:
    """Refuse a caller the recording's access class does not admit to its evidence."""
    synced = await synced_recording(db, recording_id)
    if synced is not None:
        require_evidence_reader(who, access_of(synced))


async def open_chain(db: Database, recording_id: str, who: Principal) -> list[CustodyEntry]:
    """The custody log, for a caller the recording's access class admits."""
    await require_reader(db, recording_id, who)
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
    await log(db, recording_id, who, CustodyKind.EXPORTED, f"custody log exported as {as_format}")
    return chain


async def check_chain(db: Database, recording_id: str, who: Principal) -> CustodyCheck:
    """Whether the log of a recording the caller may open is still the chain it was written as."""
    return repository.verify(recording_id, await open_chain(db, recording_id, who))


async def check_every_chain(db: Database) -> list[CustodyCheck]:
    """Check the log of every recording that has one."""
    return [
        repository.verify(recording_id, await repository.entries(db, recording_id))
        for recording_id in await repository.recordings_with_custody(db)
    ]


async def link(
    db: Database, recording_id: str, incident_id: int, reason: str, who: Principal
) -> None:
    await open_chain(db, recording_id, who)
    await require_incident(db, incident_id)
    data: dict[str, object] = {"incident_id": incident_id}
    await log(db, recording_id, who, CustodyKind.LINKED, reason or "linked to an incident", data)


async def change_category(
    db: Database, recording_id: str, category: str, reason: str, who: Principal
) -> None:
    await open_chain(db, recording_id, who)
    data: dict[str, object] = {"category": category}
    await log(db, recording_id, who, CustodyKind.CATEGORY_CHANGED, reason, data)
