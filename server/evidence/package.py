"""The court package of one incident: every recording linked to it and every derivative of
those (a redacted copy …), with a signed manifest and each item's custody log as CSV and PDF.

Two steps, so the command line can size its progress bar between them:

* `plan` reads everything the package will state: the incident, the items with their camera,
  device, uploader and custody facts, and each item's chain as it stands now. It refuses the
  whole package (403 `package_restricted`) when the caller may not open one of the items: a
  package that silently left one out would misstate what the incident's evidence is.
* `build` writes the ZIP to a temporary file in the data directory (package_zip.py), checking
  each evidence file's SHA-256 against its verified upload as it streams by, then puts one
  `exported` entry naming the manifest's SHA-256 on every item's custody log, all in one
  transaction. The logs inside the package end before that entry: they are the chain as it
  was exported, and their head hashes are the ones the signed manifest states.

The HTTP route and `posbon evidence export` both call these, so they produce the same package.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import re
import secrets
import time
from pathlib import Path
from typing import Final

import msgspec

from server.audit.log import record
from server.auth.schemas import Principal
from server.custody import repository as custody_log
from server.custody import service as custody
from server.custody.schemas import CustodyEntry, CustodyFacts, CustodyKind
from server.db import Database
from server.errors import Conflict, Forbidden, NotFound
from server.evidence import package_facts, package_readme
from server.evidence.derivatives import derivatives_of
from server.evidence.items import recordings_of_incident
from server.evidence.package_manifest import (
    CustodySummary,
    FileRole,
    IncidentFacts,
    PackageItem,
    PackageManifest,
    SigningKeyFacts,
)
from server.evidence.package_pdf import custody_pdf
from server.evidence.package_zip import PackageWriter, Progress
from server.evidence.signing import ALGORITHM, SigningKey
from server.incidents.service import require as require_incident
from server.sync.recordings import synced_recording
from server.uploads import repository as uploads
from server.uploads.storage import EvidenceStore
from sync.recordings import Derivation

WORK_DIR_NAME: Final = "packages"
PARTIAL_SUFFIX: Final = ".zip.partial"
STALE_PARTIAL_S: Final = 24 * 3600
"""A package file this old in the work directory was left by a build that died; removed."""
SUFFIX: Final = re.compile(r"\.[A-Za-z0-9]{1,8}$")


class PlannedItem(msgspec.Struct, frozen=True, kw_only=True):
    item: PackageItem
    chain: list[CustodyEntry]


class PackagePlan(msgspec.Struct, frozen=True, kw_only=True):
    incident: IncidentFacts
    items: list[PlannedItem]
    exported_at: dt.datetime
    exported_by: str

    @property
    def evidence_bytes(self) -> int:
        return sum(planned.item.size_bytes or 0 for planned in self.items if planned.item.file)


class BuiltPackage(msgspec.Struct, frozen=True, kw_only=True):
    path: Path
    """The finished ZIP in the work directory; the caller moves, sends or removes it."""
    file_name: str
    """What to call it for the recipient."""
    manifest_sha256: str
    size_bytes: int


async def plan(db: Database, store: EvidenceStore, incident_id: int, who: Principal) -> PackagePlan:
    incident = package_facts.incident_facts(await require_incident(db, incident_id))
    recording_ids = await _items_of(db, incident_id)
    await _require_readable(db, incident_id, recording_ids, who)
    items = [await _planned(db, store, recording_id) for recording_id in recording_ids]
    return PackagePlan(
        incident=incident, items=items, exported_at=dt.datetime.now(dt.UTC), exported_by=who.actor
    )


async def _items_of(db: Database, incident_id: int) -> list[str]:
    found: list[str] = []
    for recording_id in await recordings_of_incident(db, incident_id):
        found += [recording_id, *await derivatives_of(db, recording_id)]
    if not found:
        raise NotFound(f"Incident {incident_id} has no linked recordings to export.")
    return list(dict.fromkeys(found))


async def _require_readable(
    db: Database, incident_id: int, recording_ids: list[str], who: Principal
) -> None:
    refused: list[str] = []
    for recording_id in recording_ids:
        try:
            await custody.require_reader(db, recording_id, who)
        except Forbidden:
            refused.append(recording_id)
    if refused:
        raise Forbidden(
            f"Incident {incident_id}'s evidence includes {', '.join(refused)}, which only an "
            "admin may open; ask an admin to export the package.",
            code="package_restricted",
        )


async def _planned(db: Database, store: EvidenceStore, recording_id: str) -> PlannedItem:
    chain = await custody.chain_of(db, recording_id)
    facts = await package_facts.synced_facts(db, recording_id)
    upload = await uploads.verified_for(db, recording_id)
    deleted = any(entry.kind is CustodyKind.DELETED for entry in chain)
    owner = await _synced_owner(db, recording_id)
    role = _role(facts.derivation)
    file_path: str | None = None
    if upload is not None and upload.sha256 is not None and not deleted:
        if await store.backend.size_of(upload.sha256) is None:
            raise NotFound(f"The evidence file of recording {recording_id} is missing.")
        file_path = f"items/{recording_id}/{role.value}{_suffix(facts.camera.file_name)}"
    sha256 = None if upload is None else upload.sha256
    item = PackageItem(
        recording_id=recording_id,
        role=role,
        file=file_path,
        sha256=sha256,
        size_bytes=None if upload is None else upload.length,
        deleted=deleted,
        derived_from=facts.derived_from,
        derivation=facts.derivation,
        camera=facts.camera,
        device=facts.device,
        owner=owner,
        owner_name=await package_facts.owner_name(db, owner),
        uploader=None if upload is None else upload.owner,
        station=None if upload is None else package_facts.station_of(upload.owner),
        custody=CustodySummary(
            entries=len(chain),
            head_hash=chain[-1].hash,
            verified_sha256=_verified_sha256(chain),
            csv=f"items/{recording_id}/custody.csv",
            pdf=f"items/{recording_id}/custody.pdf",
        ),
    )
    return PlannedItem(item=item, chain=chain)


async def _synced_owner(db: Database, recording_id: str) -> str | None:
    synced = await synced_recording(db, recording_id)
    return None if synced is None else synced.owner


def _role(derivation: str | None) -> FileRole:
    if derivation is None:
        return FileRole.ORIGINAL
    return FileRole.REDACTED if derivation == Derivation.REDACTION.value else FileRole.DERIVATIVE


def _suffix(file_name: str | None) -> str:
    found = SUFFIX.search(file_name or "")
    return found.group(0).lower() if found else ""


def _verified_sha256(chain: list[CustodyEntry]) -> str | None:
    found = [entry for entry in chain if entry.kind is CustodyKind.VERIFIED]
    return None if not found else str(found[-1].data.get("sha256"))


async def build(
    db: Database,
    store: EvidenceStore,
    key: SigningKey,
    package: PackagePlan,
    work_dir: Path,
    progress: Progress | None = None,
) -> BuiltPackage:
    path = _new_partial(work_dir)
    stamp = package.exported_at.strftime("%Y%m%dT%H%M%SZ")
    file_name = f"incident-{package.incident.id}-evidence-{stamp}.zip"
    try:
        manifest = await _write(store, key, package, path, progress)
        digest = hashlib.sha256(manifest).hexdigest()
        await _log_exports(db, package, digest, file_name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return BuiltPackage(
        path=path,
        file_name=file_name,
        manifest_sha256=digest,
        size_bytes=path.stat().st_size,
    )


def _new_partial(work_dir: Path) -> Path:
    work_dir.mkdir(parents=True, exist_ok=True)
    oldest = time.time() - STALE_PARTIAL_S
    for left in work_dir.glob(f"*{PARTIAL_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            if left.stat().st_mtime < oldest:
                left.unlink()
    return work_dir / f"package-{secrets.token_hex(8)}{PARTIAL_SUFFIX}"


async def _write(
    store: EvidenceStore,
    key: SigningKey,
    package: PackagePlan,
    path: Path,
    progress: Progress | None,
) -> bytes:
    writer = PackageWriter(path, package.exported_at)
    exported = (package.exported_at, package.exported_by, key.fingerprint)
    try:
        writer.add_bytes(
            package_readme.README_NAME,
            package_readme.readme(package.incident.id, key.fingerprint),
            (FileRole.README, None),
        )
        for planned in package.items:
            await _add_item(writer, store, package.incident, planned, exported, progress)
        manifest = PackageManifest(
            incident=package.incident,
            exported_at=package.exported_at,
            exported_by=package.exported_by,
            signing_key=SigningKeyFacts(algorithm=ALGORITHM, fingerprint=key.fingerprint),
            items=[planned.item for planned in package.items],
            files=[],
        )
        return writer.seal(manifest, key)
    finally:
        writer.close()


async def _add_item(
    writer: PackageWriter,
    store: EvidenceStore,
    incident: IncidentFacts,
    planned: PlannedItem,
    exported: tuple[dt.datetime, str, str],
    progress: Progress | None,
) -> None:
    item = planned.item
    if item.file is not None and item.sha256 is not None:
        blocks = store.backend.read(item.sha256, 0, item.size_bytes or 0)
        written = await writer.add_stream(
            item.file, blocks, (item.role, item.recording_id), progress
        )
        if (written.sha256, written.size_bytes) != (item.sha256, item.size_bytes):
            raise Conflict(
                f"The evidence file of recording {item.recording_id} no longer has its "
                "recorded SHA-256; run 'posbon custody verify' and restore it from a copy.",
                code="evidence_altered",
            )
    as_csv = custody.as_csv(planned.chain).encode()
    writer.add_bytes(item.custody.csv, as_csv, (FileRole.CUSTODY_CSV, item.recording_id))
    pdf = await asyncio.to_thread(custody_pdf, incident, item, planned.chain, exported)
    writer.add_bytes(item.custody.pdf, pdf, (FileRole.CUSTODY_PDF, item.recording_id))


async def _log_exports(db: Database, package: PackagePlan, manifest_sha256: str, name: str) -> None:
    """One `exported` entry per item, all or none."""
    data: dict[str, object] = {
        "incident_id": package.incident.id,
        "manifest_sha256": manifest_sha256,
        "package": name,
    }
    reason = f"court package of incident {package.incident.id} exported"
    at = dt.datetime.now(dt.UTC)
    async with db.write():
        for planned in package.items:
            facts = CustodyFacts(
                recording_id=planned.item.recording_id,
                at=at,
                actor=package.exported_by,
                kind=CustodyKind.EXPORTED,
                reason=reason,
                data=data,
            )
            await custody_log.append(db, facts)
        await record(
            db,
            action="export.evidence_package",
            actor=package.exported_by,
            target=f"incident:{package.incident.id}",
            after=data,
            detail=f"{len(package.items)} recordings",
        )
