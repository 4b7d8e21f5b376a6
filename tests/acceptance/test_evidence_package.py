"""The court package as shipped: a station syncs and uploads a recording to `posbon serve`, a
dispatcher links it to an incident, an admin downloads the incident's package and the operator
exports it with `posbon evidence export`; both verify with `posbon evidence verify-package`
against the key `posbon evidence signing-key` printed, with no database or server in reach, and
a package changed afterwards does not."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.client import SyncClient
from sync.mutations import RecordingCreateV1
from tests.acceptance.support import CLI_TIMEOUT_S, POSBON, ServedPosbon
from tests.acceptance.test_crews_and_evidence import recording_facts, upload_with_tuspy

pytestmark = pytest.mark.acceptance
RECORDING_BYTES = 1_200_000 + 45


async def _uploaded(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], video: Path
) -> str:
    token = served.token("upload_station")
    video.write_bytes(os.urandom(RECORDING_BYTES))
    sha256 = hashlib.sha256(video.read_bytes()).hexdigest()
    station = devices(served.http, token)
    recording_id = station.new_id()
    station.enqueue(RecordingCreateV1, entity_id=recording_id, facts=recording_facts(video, sha256))
    await station.sync()
    await asyncio.to_thread(upload_with_tuspy, served, token, video, str(recording_id))
    return str(recording_id)


async def _linked_incident(served: ServedPosbon, recording_id: str) -> int:
    async with served.api(served.token("dispatcher")) as desk:
        raised = await desk.post(
            "/api/v1/alerts", json={"kind": "panic", "lat": 39.6542, "lon": 66.9597}
        )
        assert raised.status_code == 201, served.explain(raised.text)
        incident_id = int(raised.json()["incident_id"])
        linked = await desk.post(
            f"/api/v1/recordings/{recording_id}/links", json={"incident_id": incident_id}
        )
        assert linked.status_code == 204, served.explain(linked.text)
    return incident_id


def _verify_offline(package: Path, key: Path) -> subprocess.CompletedProcess[str]:
    """Only the package and the key: no data directory, no database URL."""
    return subprocess.run(
        [str(POSBON), "evidence", "verify-package", str(package), "--public-key", str(key)],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
        cwd=package.parent,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(package.parent)},
    )


async def test_a_package_downloaded_and_one_exported_both_verify_offline(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], tmp_path: Path
) -> None:
    video = tmp_path / "BWC0007_0001.mp4"
    recording_id = await _uploaded(served, devices, video)
    incident_id = await _linked_incident(served, recording_id)
    async with served.api(served.token("admin"), timeout_s=120) as admin:
        response = await admin.get(f"/api/v1/incidents/{incident_id}/evidence-package")
    assert response.status_code == 200, served.explain(response.text)
    downloaded = tmp_path / "downloaded.zip"
    downloaded.write_bytes(response.content)
    exported = tmp_path / "exported.zip"
    served.cli("evidence", "export", "--incident", str(incident_id), "--out", str(exported))
    key = tmp_path / "deployment.pem"  # what `posbon evidence signing-key > FILE` writes
    key.write_text(served.cli("evidence", "signing-key"))

    for package in (downloaded, exported):
        result = _verify_offline(package, key)
        assert result.returncode == 0, result.stderr
        assert f"OK: incident {incident_id}, 1 items" in result.stdout
        with zipfile.ZipFile(package) as opened:
            assert opened.read(f"items/{recording_id}/original.mp4") == video.read_bytes()

    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(exported) as old, zipfile.ZipFile(changed, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            flipped = data[:-1] + bytes([data[-1] ^ 0x01])
            new.writestr(info, flipped if info.filename.endswith(".mp4") else data)
    refused = _verify_offline(changed, key)
    assert refused.returncode == 1
    assert f"items/{recording_id}/original.mp4: SHA-256 " in refused.stderr
