"""Verification media: an alarm at a site with a camera gets the camera's snapshot as evidence
(SHA-256 in the custody log, linked to the incident, a timeline entry); a DC-09 `[V…]` link is
shown with the incident's media."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from device_gateway.signals import SignalKind
from tests.eventually import eventually
from tests.integration.live import Live
from tests.integration.test_server.verification.support import (
    JSON,
    add_site_with_devices,
    admin_client,
    alarm,
    get,
)

pytestmark = pytest.mark.integration
FRAMES = 5


def camera_video(path: Path) -> Path:
    """A few MJPEG frames of a test card: a camera stand-in the way the recognition tests
    feed cameras (a video file pulled through OpenCV)."""
    image = np.zeros((120, 160, 3), dtype=np.uint8)
    image[:, :80] = (0, 160, 255)
    cv2.putText(image, "CAM", (40, 70), cv2.FONT_HERSHEY_SIMPLEX, 1, (255, 255, 255), 2)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 5, (160, 120))
    for _ in range(FRAMES):
        writer.write(image)
    writer.release()
    return path


async def add_camera(live: Live, site_id: int, url: str) -> int:
    async with await admin_client(live) as http:
        made = await http.post(
            "/api/v1/cameras", json={"name": f"Lobby {site_id}", "site_id": site_id, "url": url}
        )
    assert made.status_code == 201, made.text
    camera_id: int = made.json()["id"]
    return camera_id


async def _media(live: Live, incident_id: int) -> JSON:
    media: JSON = await get(live, f"/api/v1/incidents/{incident_id}/media")
    return media


async def test_an_alarm_at_a_site_with_a_camera_attaches_its_snapshot(
    live: Live, tmp_path: Path
) -> None:
    site_id = await add_site_with_devices(live, ["7101"])
    await add_camera(live, site_id, str(camera_video(tmp_path / "lobby.avi")))
    await alarm(live, "7101", SignalKind.PANIC, "001", dt.datetime.now(dt.UTC), priority=1)
    (alert,) = [a for a in await get(live, "/api/v1/alerts") if a["site"]["id"] == site_id]
    incident_id = alert["incident_id"]

    async def attached() -> JSON:
        snapshots = (await _media(live, incident_id))["snapshots"]
        assert len(snapshots) == 1, snapshots
        (snapshot,) = snapshots
        assert snapshot["state"] == "done", snapshot
        return dict(snapshot)

    snapshot = await eventually(attached, timeout_s=30)
    async with await admin_client(live) as http:
        file = await http.get(f"/api/v1/recordings/{snapshot['recording_id']}/file")
        chain = await http.get(f"/api/v1/recordings/{snapshot['recording_id']}/custody")
        check = await http.get(f"/api/v1/recordings/{snapshot['recording_id']}/custody/verify")
    assert file.status_code == 200, file.text
    assert file.content[:2] == b"\xff\xd8"  # a JPEG
    assert hashlib.sha256(file.content).hexdigest() == snapshot["sha256"]
    kinds = [entry["kind"] for entry in chain.json()]
    assert kinds[:3] == ["received", "verified", "linked"]
    assert chain.json()[1]["data"]["sha256"] == snapshot["sha256"]
    assert chain.json()[2]["data"]["incident_id"] == incident_id
    assert check.json()["intact"] is True
    timeline = await get(live, f"/api/v1/incidents/{incident_id}/timeline")
    texts = [entry["data"].get("text", "") for entry in timeline]
    assert f"attached (sha256 {snapshot['sha256']})" in " ".join(texts)


async def test_a_camera_that_gives_no_frame_is_retried_then_reported(
    live: Live, tmp_path: Path
) -> None:
    site_id = await add_site_with_devices(live, ["7201"])
    await add_camera(live, site_id, str(tmp_path / "missing.avi"))
    await alarm(live, "7201", SignalKind.INTRUSION, "003", dt.datetime.now(dt.UTC), priority=2)
    (alert,) = [a for a in await get(live, "/api/v1/alerts") if a["site"]["id"] == site_id]

    async def tried() -> JSON:
        snapshots = (await _media(live, alert["incident_id"]))["snapshots"]
        assert len(snapshots) == 1, snapshots
        (snapshot,) = snapshots
        assert snapshot["attempts"] >= 1, snapshot
        assert snapshot["error"], snapshot
        return dict(snapshot)

    snapshot = await eventually(tried, timeout_s=30)
    assert snapshot["recording_id"] is None
    assert snapshot["state"] in {"pending", "failed"}


async def test_a_dc09_verification_link_is_shown_with_the_incident(live: Live) -> None:
    site_id = await add_site_with_devices(live, ["7301"])
    link = "https://verify.example.uz/ajax/photo/7301/1"
    now = dt.datetime.now(dt.UTC)
    await alarm(live, "7301", SignalKind.INTRUSION, "004", now, priority=2, xdata={"V": link})
    (alert,) = [a for a in await get(live, "/api/v1/alerts") if a["site"]["id"] == site_id]
    media = await _media(live, alert["incident_id"])
    assert [item["url"] for item in media["links"]] == [link]
    assert media["snapshots"] == []  # no camera at this site


async def test_media_of_an_unknown_incident_is_404(live: Live) -> None:
    async with await admin_client(live) as http:
        response = await http.get("/api/v1/incidents/999999/media")
    assert response.status_code == 404
