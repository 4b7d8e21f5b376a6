"""Copy verified evidence from the evidence directory into an S3-compatible bucket.

For a deployment that outgrows its shared directory: `posbon custody copy-to-bucket` with the
bucket settings in place. Each file is kept under the same content address, then re-hashed from
the bucket; only a file the bucket returns intact counts as copied, and that copy is an entry on
the recording's custody log. The directory is left untouched (remove it once satisfied), and a
second run copies nothing twice: files already in the bucket are only re-checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec

from server.custody import repository as custody
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.uploads import repository
from server.uploads.evidence.base import EvidenceBackend
from server.uploads.evidence.directory import DirectoryBackend

ACTOR = "posbon custody copy-to-bucket"


class CopyReport(msgspec.Struct, kw_only=True):
    copied: int = 0
    already_there: int = 0
    problems: list[str] = msgspec.field(default_factory=list)


async def files_to_copy(db: Database) -> list[tuple[str, str]]:
    """(recording_id, sha256) of every verified recording."""
    return await repository.verified_files(db)


async def copy_to_bucket(
    db: Database,
    files: list[tuple[str, str]],
    stores: tuple[DirectoryBackend, EvidenceBackend],
    progress: Callable[[int], object],
) -> CopyReport:
    """Copy `files` from the directory (`stores[0]`) to the bucket (`stores[1]`)."""
    source, target = stores
    report = CopyReport()
    for recording_id, sha256 in files:
        await _copy_one(db, source, target, recording_id, sha256, report)
        progress(1)
    return report


async def _copy_one(
    db: Database,
    source: DirectoryBackend,
    target: EvidenceBackend,
    recording_id: str,
    sha256: str,
    report: CopyReport,
) -> None:
    there = await target.size_of(sha256)
    if there is None:
        if await source.size_of(sha256) is None:
            report.problems.append(f"recording {recording_id}: {source.where(sha256)} is missing")
            return
        await target.keep(sha256, source.path(sha256))
    if await target.sha256_of(sha256) != sha256:
        report.problems.append(
            f"recording {recording_id}: {target.where(sha256)} does not have its SHA-256"
        )
        return
    if there is not None:
        report.already_there += 1
        return
    report.copied += 1
    async with db.write():
        await custody.append(
            db,
            CustodyFacts(
                recording_id=recording_id,
                at=dt.datetime.now(dt.UTC),
                actor=ACTOR,
                kind=CustodyKind.COPIED,
                reason=f"copied to {target.where(sha256)} and re-hashed there",
                data={"sha256": sha256, "from": source.where(sha256)},
            ),
        )
