"""Verification media through the shipped process: a real DC-09 panel at a site with a camera
(a video file pulled through OpenCV, as the recognition tests feed cameras) sends an alarm with a
`[V…]` verification link; the incident's media lists the link and the camera's snapshot, whose
file's SHA-256 is the one its custody log records."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.support import ServedPosbon
from tests.acceptance.test_activation_grouping import _devices
from tests.dc09_sender import send_dc09
from tests.eventually import eventually
from tests.integration.test_server.verification.test_snapshots import camera_video

pytestmark = pytest.mark.acceptance
LINK = "https://verify.example.uz/photo/1"


# my-dc09-spt drops its socket unclosed when no answer comes (see test_alarm_doors.py).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_an_alarm_at_a_site_with_a_camera_gets_its_snapshot_and_link(
    served: ServedPosbon, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    site, account = f"Camera bank {tag}", f"8{int(tag, 16) % 10000:04d}9"
    assert "1 rows imported" in served.cli(
        "devices", "import", str(_devices(tmp_path, site, [account]))
    )
    video = camera_video(tmp_path / "vault.avi")
    async with served.api(served.token("admin")) as admin:
        sites = (await admin.get("/api/v1/sites", params={"limit": 1000})).json()
        (site_id,) = [s["id"] for s in sites if s["name"] == site]
        made = await admin.post(
            "/api/v1/cameras", json={"name": f"Vault {tag}", "site_id": site_id, "url": str(video)}
        )
        assert made.status_code == 201, made.text
        event = {"code": 120, "q": 1, "zone": 3, "verification": LINK}
        acked = await send_dc09(served.ports.dc09, account, event)
        assert acked, served.explain("my-dc09-spt got no ACK for its panic")

        async def attached() -> dict[str, Any]:
            alerts = (await admin.get("/api/v1/alerts", params={"limit": 1000})).json()
            (alert,) = [a for a in alerts if a["site"]["name"] == site]
            media = (await admin.get(f"/api/v1/incidents/{alert['incident_id']}/media")).json()
            assert [s["state"] for s in media["snapshots"]] == ["done"], media
            return dict(media)

        media = await eventually(attached, timeout_s=60)
        (snapshot,) = media["snapshots"]
        recording = f"/api/v1/recordings/{snapshot['recording_id']}"
        file = await admin.get(f"{recording}/file")
        chain = (await admin.get(f"{recording}/custody")).json()
    assert [link["url"] for link in media["links"]] == [LINK]
    assert hashlib.sha256(file.content).hexdigest() == snapshot["sha256"]
    assert chain[1]["kind"] == "verified"
    assert chain[1]["data"]["sha256"] == snapshot["sha256"]
