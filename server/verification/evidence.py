"""A camera snapshot made evidence: a recording of its own, linked to the alarm's incident.

The same shape as every recording the server itself makes (server/evidence/derivatives.py): a
synced recording the server writes (the camera's facts: which camera, when, the file's SHA-256
and size), a verified upload row (so staff playback, retention, holds and court packages treat
it like a body-cam file), and its custody log: RECEIVED, VERIFIED (the SHA-256 the server
computed over the bytes it kept) and LINKED to the incident, which is the one record of
membership (server/evidence/items.py). All of it in the caller's write transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Final

import msgspec

from server.custody import repository as custody
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.sync.writes import write_as_server
from server.uploads import repository as uploads
from server.uploads.schemas import UploadRecord
from server.uploads.tus import UploadState
from sync.entities import EntityKind
from sync.hlc import HybridClock
from sync.recordings import ActivationTrigger
from sync.schema import VERIFIED_SHA256

ACTOR: Final = "system:verification"
CAMERA_NAMESPACE: Final = uuid.UUID("0b8f6c8e-5d1e-4f43-9a51-7a0c6f1d2e90")
"""Names each camera's device id in recording facts (uuid5 of its registry id)."""


class NewSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    recording_id: str
    incident_id: int
    alert_id: int
    camera_id: int
    camera_name: str
    captured_at: dt.datetime
    alarm_at: dt.datetime
    sha256: str
    size_bytes: int
    width: int
    height: int


def recording_id_for(capture_id: int) -> str:
    """One recording id per snapshot job, so a job done twice (a restart between keeping the
    file and committing) registers one recording."""
    return str(uuid.uuid5(CAMERA_NAMESPACE, f"capture:{capture_id}"))


async def register(db: Database, clock: HybridClock, snap: NewSnapshot) -> bool:
    """Make the kept snapshot file an evidence item linked to its incident; False (and nothing
    written) when it already is one."""
    if await uploads.verified_for(db, snap.recording_id) is not None:
        return False
    now = dt.datetime.now(dt.UTC)
    await write_as_server(
        db, clock, EntityKind.RECORDING, uuid.UUID(snap.recording_id), _facts(snap)
    )
    await uploads.insert(db, _verified_upload(snap, now))
    made: dict[str, object] = {
        "sha256": snap.sha256,
        "bytes": snap.size_bytes,
        "camera_id": snap.camera_id,
        "alert_id": snap.alert_id,
        "alarm_at": snap.alarm_at.isoformat(),
        "captured_at": snap.captured_at.isoformat(),
    }
    entries = (
        (CustodyKind.RECEIVED, f"snapshot from camera {snap.camera_name} for an alarm", made),
        (CustodyKind.VERIFIED, "SHA-256 computed by the server that took the snapshot", made),
        (
            CustodyKind.LINKED,
            f"taken for alert {snap.alert_id} of this incident",
            {"incident_id": snap.incident_id},
        ),
    )
    for kind, reason, data in entries:
        facts = CustodyFacts(
            recording_id=snap.recording_id, at=now, actor=ACTOR, kind=kind, reason=reason, data=data
        )
        await custody.append(db, facts)
    return True


def _facts(snap: NewSnapshot) -> dict[str, object]:
    at = snap.captured_at.isoformat()
    return {
        "device_id": str(uuid.uuid5(CAMERA_NAMESPACE, f"camera:{snap.camera_id}")),
        "device_serial": f"camera-{snap.camera_id}",
        "device_model": "camera snapshot",
        "recorded_start": at,
        "recorded_stop": at,
        "duration_s": 0.0,
        "device_clock_time": at,
        "activation_trigger": ActivationTrigger.OTHER.value,
        "file_name": f"camera-{snap.camera_id}-alert-{snap.alert_id}.jpg",
        "container": "jpeg",
        "codec": "jpeg",
        "resolution": f"{snap.width}x{snap.height}",
        "size_bytes": snap.size_bytes,
        "sha256": snap.sha256,
        "hash_algo": "sha256",
        "title": f"Snapshot from camera {snap.camera_name}"[:200],
        VERIFIED_SHA256: snap.sha256,
    }


def _verified_upload(snap: NewSnapshot, at: dt.datetime) -> UploadRecord:
    return UploadRecord(
        id=uuid.uuid4().hex,
        recording_id=snap.recording_id,
        length=snap.size_bytes,
        offset=snap.size_bytes,
        state=UploadState.VERIFIED,
        metadata={"camera_id": str(snap.camera_id), "alert_id": str(snap.alert_id)},
        owner=ACTOR,
        expected_sha256=snap.sha256,
        sha256=snap.sha256,
        category="",
        created_at=at,
        expires_at=at,
        finished_at=at,
    )
