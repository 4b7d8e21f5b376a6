"""The facts a court package states about each item, read from where they are kept: the
camera's own description in the recording's synced metadata (sync/recordings.py RecordingFacts,
stored flat in `sync_entities`), and the names of the owners who synced and uploaded it.

Read-only: every table read here has its writer elsewhere. A fact that is missing stays None in
the manifest rather than being guessed.
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.auth.schemas import Role
from server.db import Database
from server.evidence.package_manifest import CameraFacts, DeviceFacts, IncidentFacts
from server.incidents.schemas import Incident
from sync.entities import EntityKind


class SyncedFacts(msgspec.Struct, frozen=True, kw_only=True):
    camera: CameraFacts
    device: DeviceFacts
    derived_from: str | None = None
    derivation: str | None = None


async def synced_facts(db: Database, recording_id: str) -> SyncedFacts:
    row = await db.fetch_one(
        "SELECT fields FROM sync_entities WHERE kind = {} AND entity_id = {}",
        EntityKind.RECORDING.value,
        recording_id,
    )
    fields: dict[str, Any] = {} if row is None else msgspec.json.decode(row["fields"])
    values = {name: (stamp or {}).get("value") for name, stamp in fields.items()}
    camera = msgspec.convert(
        {**values, "device_sha256": values.get("sha256")}, CameraFacts, strict=False
    )
    device = DeviceFacts(
        device_id=_text(values.get("device_id")),
        serial=_text(values.get("device_serial")),
        model=_text(values.get("device_model")),
        firmware_version=_text(values.get("firmware_version")),
    )
    return SyncedFacts(
        camera=camera,
        device=device,
        derived_from=_text(values.get("derived_from_id")),
        derivation=_text(values.get("derivation")),
    )


async def owner_name(db: Database, owner: str | None) -> str | None:
    """The name behind `token:<id>` (the station's or the person's token) or `crew:<id>`."""
    kind, _, number = (owner or "").partition(":")
    if not number.isdigit():
        return None
    if kind == "token":
        row = await db.fetch_one("SELECT name FROM tokens WHERE id = {}", int(number))
    elif kind == "crew":
        row = await db.fetch_one("SELECT name FROM crews WHERE id = {}", int(number))
    else:
        return None
    return None if row is None else str(row["name"])


def station_of(actor: str) -> str | None:
    """The station's name in an uploader's actor (`upload_station:<name>`), else None."""
    role, _, name = actor.partition(":")
    return name if role == Role.UPLOAD_STATION.value and name else None


def incident_facts(incident: Incident) -> IncidentFacts:
    return IncidentFacts(
        id=incident.id,
        kind=incident.kind,
        title=incident.title,
        status=incident.status.value,
        priority=incident.priority,
        site_id=incident.site.id,
        site_name=incident.site.name,
        site_address=incident.site.address,
        lat=incident.site.lat,
        lon=incident.site.lon,
        created_at=incident.created_at,
        closed_at=incident.closed_at,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
