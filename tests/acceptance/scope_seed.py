"""Two districts for the scope walk (test_scope_walk.py), made through the served API as an
admin, an unscoped dispatcher and an upload station would make them: A, the district the scoped
token may see, and B, whose every object carries `MARKER` in a name, an address, a description
or a reason, so that a body naming anything of B is found by a substring search."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sync.client import SyncClient
from sync.mutations import RecordingCreateV1
from tests.acceptance.support import ServedPosbon
from tests.acceptance.test_crews_and_evidence import recording_facts, upload_with_tuspy

MARKER: Final = "LEAKB"
RECORDING_BYTES: Final = 64 * 1024 + 7


@dataclass
class District:
    """One district's objects, by the path parameter that names each."""

    name: str
    ids: dict[str, Any] = field(default_factory=dict)
    upload_url: str = ""


async def _created(http: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await http.post(path, json=body)
    assert answer.status_code in {200, 201}, f"POST {path}: {answer.status_code} {answer.text}"
    created: dict[str, Any] = answer.json()
    return created


async def seed_district(
    served: ServedPosbon,
    devices: Callable[[str, str], SyncClient],
    tmp_path: Path,
    label: str,
    station_token: str,
) -> District:
    """A site of a new district with a device, a camera, a contact, an alert (and the incident it
    opened), a test window and a recording linked to the incident, every text naming `label`."""
    suffix = uuid.uuid4().hex[:8]
    district = District(f"{label}-district-{suffix}")
    text = f"{label} {suffix}"
    async with served.api(served.token("admin")) as admin:
        site = await _created(
            admin,
            "/api/v1/sites",
            {
                "name": f"{text} site",
                "address": f"{text} street",
                "district": district.name,
                "lat": 39.65,
                "lon": 66.96,
            },
        )
        account = f"9{int(suffix, 16) % 10**8:08d}"
        device = await _created(
            admin, "/api/v1/devices", {"account": account, "kind": text, "site_id": site["id"]}
        )
        camera = await _created(
            admin, "/api/v1/cameras", {"name": f"{text} camera", "site_id": site["id"]}
        )
        contact = await _created(
            admin,
            f"/api/v1/sites/{site['id']}/contacts",
            {"name": f"{text} keyholder", "phones": ["+998901234567"], "note": text},
        )
    async with served.api(served.token("dispatcher")) as desk:
        alert = await _created(
            desk,
            "/api/v1/alerts",
            {"kind": "intrusion", "site_id": site["id"], "description": f"{text} alert"},
        )
        test = await _created(
            desk, f"/api/v1/sites/{site['id']}/tests", {"minutes": 30, "reason": f"{text} test"}
        )
        recording_id, url = await _recording(
            served, devices, tmp_path / f"{label}.mp4", station_token
        )
        linked = await desk.post(
            f"/api/v1/recordings/{recording_id}/links",
            json={"incident_id": alert["incident_id"], "reason": text},
        )
        assert linked.status_code == 204, linked.text
    district.ids = {
        "site_id": site["id"],
        "device_id": device["id"],
        "camera_id": camera["id"],
        "contact_id": contact["id"],
        "alert_id": alert["id"],
        "incident_id": alert["incident_id"],
        "test_id": test["id"],
        "recording_id": recording_id,
    }
    district.upload_url = url
    return district


async def _recording(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], video: Path, token: str
) -> tuple[str, str]:
    """A recording an upload station synced and uploaded: its id and its upload's URL."""
    video.write_bytes(os.urandom(RECORDING_BYTES))
    sha256 = hashlib.sha256(video.read_bytes()).hexdigest()
    station = devices(served.http, token)
    recording_id = station.new_id()
    station.enqueue(RecordingCreateV1, entity_id=recording_id, facts=recording_facts(video, sha256))
    await station.sync()
    url = await asyncio.to_thread(upload_with_tuspy, served, token, video, str(recording_id))
    return str(recording_id), url
