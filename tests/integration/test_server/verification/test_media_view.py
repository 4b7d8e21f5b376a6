"""The incident view shows an alarm's camera snapshot as a thumbnail (fetched with the token)
and a panel's verification link, in Chromium at the dispatch desk's 1366x768."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import Browser, expect

from device_gateway.signals import SignalKind
from tests.eventually import eventually
from tests.integration.live import Live
from tests.integration.test_server.browser import signed_in
from tests.integration.test_server.verification.support import add_site_with_devices, alarm, get
from tests.integration.test_server.verification.test_snapshots import add_camera, camera_video

pytestmark = [pytest.mark.integration, pytest.mark.browser]
DESK: Final = {"width": 1366, "height": 768}
SHOTS: Final = os.environ.get("POSBON_MEDIA_SCREENSHOTS", "")
"""A folder to save the screenshot in (for the README); none by default."""


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def test_the_snapshot_thumbnail_and_the_panel_link_show_in_the_incident_view(
    browser: Browser, live: Live, tmp_path: Path
) -> None:
    site_id = await add_site_with_devices(live, ["7401"])
    await add_camera(live, site_id, str(camera_video(tmp_path / "vault.avi")))
    link = "https://verify.example.uz/ajax/photo/7401/1"
    now = dt.datetime.now(dt.UTC)
    await alarm(live, "7401", SignalKind.PANIC, "002", now, priority=1, xdata={"V": link})
    (alert,) = [a for a in await get(live, "/api/v1/alerts") if a["site"]["id"] == site_id]
    incident_id = alert["incident_id"]

    async def attached() -> bool:
        media = await get(live, f"/api/v1/incidents/{incident_id}/media")
        assert [s["state"] for s in media["snapshots"]] == ["done"], media
        return True

    await eventually(attached, timeout_s=30)
    page, problems = await signed_in(browser, live, DESK)
    await page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open').click()
    thumb = page.locator("#incident-media img.media-thumb")
    await expect(thumb).to_be_visible()
    assert await thumb.evaluate("image => image.complete && image.naturalWidth") == 160
    await expect(
        page.locator("#incident-media a[href^='https://verify.example.uz']")
    ).to_be_visible()
    await thumb.scroll_into_view_if_needed()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / "media-incident-snapshot.png"))
    assert problems == []
