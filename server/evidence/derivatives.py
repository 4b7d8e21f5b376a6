"""Derivatives of a recording (a redacted copy …): new evidence items made from an original.

A derivative is its own recording, with its own file and SHA-256; the original names it in a
`derived` entry on its custody log (the original's bytes are never touched). That entry is the
one record of the relation, so it is read here from the log, like incident links
(server/evidence/items.py), and every kind of derivation is found the same way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any, Final

import msgspec

from server.custody import repository as custody
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.evidence.items import incidents_of_recording
from server.sync.repository import SyncRepository
from server.sync.writes import write_as_server
from server.uploads import repository as uploads
from server.uploads.schemas import UploadRecord
from server.uploads.tus import UploadState
from sync.entities import EntityKind
from sync.hlc import HybridClock
from sync.merge import EntityState
from sync.recordings import Derivation, RecordingFacts
from sync.schema import VERIFIED_SHA256

DERIVATIVE_KEY: Final = "derivative_id"
"""The field of a `derived` entry's data naming the derivative recording."""
SERVER_ACTOR: Final = "server"
FACT_NAMES: Final = frozenset(field.name for field in msgspec.structs.fields(RecordingFacts))
COPIED_CURATED: Final = frozenset({"access_class", "categories", "incident_id", "case_ids"})
"""Curated fields a derivative starts with: who may see it (never more people than may see its
original) and what it is about; an admin may change them later like any recording's."""


class Derivative(msgspec.Struct, frozen=True, kw_only=True):
    """One derivative as the original's custody log names it."""

    recording_id: str
    sha256: str
    derivation: str
    at: str
    """When it was made (ISO 8601, the custody entry's time)."""


def _decoded(data: object) -> dict[str, Any]:
    value: Any = msgspec.json.decode(data) if isinstance(data, str | bytes) else data
    return value if isinstance(value, dict) else {}


async def derivatives(db: Database, recording_id: str) -> list[Derivative]:
    """The derivatives made from `recording_id`, oldest first, each once."""
    rows = await db.fetch(
        "SELECT at, data FROM custody WHERE recording_id = {} AND kind = {} ORDER BY id",
        recording_id,
        CustodyKind.DERIVED.value,
    )
    found: dict[str, Derivative] = {}
    for row in rows:
        data = _decoded(row["data"])
        derivative_id = data.get(DERIVATIVE_KEY)
        if isinstance(derivative_id, str) and derivative_id not in found:
            at = row["at"]
            found[derivative_id] = Derivative(
                recording_id=derivative_id,
                sha256=str(data.get("sha256", "")),
                derivation=str(data.get("derivation", "")),
                at=at.isoformat() if hasattr(at, "isoformat") else str(at),
            )
    return list(found.values())


async def derivatives_of(db: Database, recording_id: str) -> list[str]:
    """The ids of the recordings derived from `recording_id`, oldest first."""
    return [item.recording_id for item in await derivatives(db, recording_id)]


class NewDerivative(msgspec.Struct, frozen=True, kw_only=True):
    """A rendered derivative file, kept in the evidence backend, to register as evidence."""

    original_id: str
    derivative_id: str
    sha256: str
    size_bytes: int
    suffix: str
    """The derivative file's own extension (`.webm` …): its name is the original's with it."""
    derivation: Derivation
    actor: str
    """Who asked for it (the reviewer who pressed Render)."""
    details: dict[str, object] = msgspec.field(default_factory=dict)
    """What made it (the redaction's id, its track count …), kept on both custody logs."""
    facts: dict[str, object] = msgspec.field(default_factory=dict)
    """Camera facts the derivative has of its own (fps, resolution)."""


async def register(db: Database, clock: HybridClock, new: NewDerivative) -> None:
    """Make a kept file a verified evidence item of its own, inside the caller's write
    transaction: a verified upload, a synced recording the server wrote (the original's facts
    with the new file's hash and size, `derived_from_id` naming the original), RECEIVED and
    VERIFIED on its custody log, DERIVED on the original's, and a link to every incident the
    original is linked to. Harmless to repeat: a derivative already verified is left as it is."""
    if await uploads.verified_for(db, new.derivative_id) is not None:
        return
    now = dt.datetime.now(dt.UTC)
    original = await SyncRepository(db).load_entity(
        EntityKind.RECORDING, uuid.UUID(new.original_id)
    )
    values = _derivative_values(original, new)
    await write_as_server(db, clock, EntityKind.RECORDING, uuid.UUID(new.derivative_id), values)
    categories = values.get("categories")
    category = ",".join(map(str, categories)) if isinstance(categories, list) else ""
    await uploads.insert(db, _verified_upload(new, category, now))
    await _log_custody(db, new, now)


def _derivative_values(original: EntityState | None, new: NewDerivative) -> dict[str, object]:
    held = {} if original is None else {n: s.value for n, s in original.fields.items()}
    values: dict[str, object] = {n: held[n] for n in FACT_NAMES | COPIED_CURATED if n in held}
    values.update(new.facts)
    values.update(
        {
            "sha256": new.sha256,
            "size_bytes": new.size_bytes,
            "hash_algo": "sha256",
            "file_name": _file_name(held.get("file_name"), new),
            "derived_from_id": new.original_id,
            "derivation": new.derivation.value,
            VERIFIED_SHA256: new.sha256,
        }
    )
    return values


def _file_name(original: object, new: NewDerivative) -> str:
    stem = Path(str(original)).stem if original else new.original_id
    return f"{stem}.{new.derivation.value}{new.suffix}"


def _verified_upload(new: NewDerivative, category: str, at: dt.datetime) -> UploadRecord:
    """The upload row playback and verification read: the server 'uploaded' it, verified."""
    return UploadRecord(
        id=uuid.uuid4().hex,
        recording_id=new.derivative_id,
        length=new.size_bytes,
        offset=new.size_bytes,
        state=UploadState.VERIFIED,
        metadata={"derived_from_id": new.original_id, "derivation": new.derivation.value},
        owner=SERVER_ACTOR,
        expected_sha256=new.sha256,
        sha256=new.sha256,
        category=category,
        created_at=at,
        expires_at=at,
        finished_at=at,
    )


async def _log_custody(db: Database, new: NewDerivative, at: dt.datetime) -> None:
    made: dict[str, object] = {
        "derived_from_id": new.original_id,
        "derivation": new.derivation.value,
        "sha256": new.sha256,
        "bytes": new.size_bytes,
        **new.details,
    }
    entries = [
        (new.derivative_id, new.actor, CustodyKind.RECEIVED, "derivative made", made),
        (
            new.derivative_id,
            SERVER_ACTOR,
            CustodyKind.VERIFIED,
            "SHA-256 computed by the server that rendered it",
            made,
        ),
        (
            new.original_id,
            new.actor,
            CustodyKind.DERIVED,
            f"{new.derivation.value} derivative {new.derivative_id} made; this file unchanged",
            {
                DERIVATIVE_KEY: new.derivative_id,
                "derivation": new.derivation.value,
                "sha256": new.sha256,
                **new.details,
            },
        ),
    ]
    entries.extend(
        (
            new.derivative_id,
            SERVER_ACTOR,
            CustodyKind.LINKED,
            f"linked as its original {new.original_id} is",
            {"incident_id": incident_id},
        )
        for incident_id in await incidents_of_recording(db, new.original_id)
    )
    for recording_id, actor, kind, reason, data in entries:
        facts = CustodyFacts(
            recording_id=recording_id, at=at, actor=actor, kind=kind, reason=reason, data=data
        )
        await custody.append(db, facts)
