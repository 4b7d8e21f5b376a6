"""A body-cam recording as its synced metadata describes it, for the parts of the server that
act on recordings outside a push (custody's access rules, the upload flow).

Devices sync a recording's metadata (its SHA-256, size, categories, access class …) before they
upload its file, so the synced entity is what the server knows the file must be, and the device
that created it (the stamp on its camera facts) names its owner. The rows are sync's own tables;
this module is the one way the rest of the server reads them.
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.db import Database
from server.sync.scopes import RECORDING_CREATOR_FIELD
from sync.entities import EntityKind
from sync.schema import VERIFIED_SHA256


class SyncedRecording(msgspec.Struct, frozen=True, kw_only=True):
    """What the synced metadata says the recording's file must be, and who owns it."""

    recording_id: str
    sha256: str
    size_bytes: int
    categories: list[str] = msgspec.field(default_factory=list)
    owner: str | None = None
    """The identity that synced it (`token:<id>` or `crew:<id>`), if known."""
    access_class: str | None = None
    verified_sha256: str | None = None


async def synced_recording(db: Database, recording_id: str) -> SyncedRecording | None:
    """The recording's metadata as synced by the device, with the identity that synced it (the
    owner of the device whose stamp its camera facts carry)."""
    row = await db.fetch_one(
        "SELECT fields FROM sync_entities WHERE kind = {} AND entity_id = {}",
        EntityKind.RECORDING.value,
        recording_id,
    )
    if row is None:
        return None
    fields: dict[str, Any] = msgspec.json.decode(row["fields"])
    values = {name: stamp.get("value") for name, stamp in fields.items()}
    creator = (fields.get(RECORDING_CREATOR_FIELD) or {}).get("device_id")
    owner = None if creator is None else await _device_owner(db, str(creator))
    return SyncedRecording(
        recording_id=recording_id,
        sha256=str(values.get("sha256", "")),
        size_bytes=int(values.get("size_bytes") or 0),
        categories=[str(item) for item in values.get("categories") or []],
        owner=owner,
        access_class=values.get("access_class"),
        verified_sha256=values.get(VERIFIED_SHA256),
    )


async def _device_owner(db: Database, device_id: str) -> str | None:
    """Who a sync device belongs to (`token:<id>` or `crew:<id>`), if it ever pushed."""
    row = await db.fetch_one("SELECT owner FROM sync_devices WHERE device_id = {}", device_id)
    return None if row is None else str(row["owner"])
