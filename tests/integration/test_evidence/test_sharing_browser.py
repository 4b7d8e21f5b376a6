"""A prosecutor opens a PIN-protected share link in Debian's Chromium, enters the PIN, sees the
shared recording, and the page's player fetches it through the link with Range."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import pytest
from playwright.async_api import expect

from server.auth.schemas import Role
from tests.eventually import eventually
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import register_recording, upload_with_tuspy
from tests.integration.test_evidence.sharing_helpers import accesses, custody, shared
from tests.integration.test_server.browser import PageProblems, chromium

pytestmark = [pytest.mark.integration, pytest.mark.browser]
PIN: Final = "270519"
FRAMES: Final = 30
FRAME_SIZE: Final = (640, 360)
SCREENSHOT_TO: Final = "POSBON_SHARE_SCREENSHOT"
"""Where to copy the page's screenshot as well (docs/share-link.png), when set."""


def _webm(path: Path) -> str:
    """A short playable WebM (VP8) made here; its SHA-256."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"VP80"), 10, FRAME_SIZE)
    for frame_no in range(FRAMES):
        frame = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), (60, 40 + frame_no * 4, 30), np.uint8)
        cv2.putText(
            frame,
            f"BWC-0042 {frame_no:02d}",
            (40, 190),
            cv2.FONT_HERSHEY_SIMPLEX,
            1.4,
            (255, 255, 255),
            3,
        )
        writer.write(frame)
    writer.release()
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_prosecutor_enters_the_pin_and_sees_and_plays_the_shared_recording(
    live: Live, tmp_path: Path
) -> None:
    video = tmp_path / "BWC0042_20261207_0931.webm"
    sha256 = _webm(video)
    station = await live.token(Role.UPLOAD_STATION)
    recording = await register_recording(live, station, video, sha256)
    await asyncio.to_thread(upload_with_tuspy, live, station, video, recording)
    recording_id = str(recording)
    made = await shared(
        live,
        await live.token(Role.ADMIN),
        recording_id=recording_id,
        pin=PIN,
        recipient="Samarkand regional prosecutor's office",
    )

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1100, "height": 820})
        problems = PageProblems(page)
        await page.goto(live.http + made["path"])
        await expect(page.get_by_role("heading", name="PIN required")).to_be_visible()
        await page.get_by_label("PIN").fill(PIN)
        await page.get_by_role("button", name="Open").click()
        await expect(page.get_by_role("heading", name="Shared evidence")).to_be_visible()
        await expect(page.get_by_text(sha256)).to_be_visible()
        await expect(page.get_by_text("Samarkand regional prosecutor's office")).to_be_visible()
        player = page.locator("video")
        await expect(player).to_have_count(1)
        # Polled from here: a string predicate polled in the page is an eval, which the share
        # page's CSP (default-src 'none') refuses whenever the first check finds it not ready.
        await eventually(lambda: player.evaluate("video => video.readyState >= 2"), timeout_s=15)
        duration = await player.evaluate("video => video.duration")
        shot = tmp_path / "share-link.png"
        await page.screenshot(path=str(shot), full_page=True)
        await page.close()

    assert duration == pytest.approx(FRAMES / 10, abs=0.5)
    assert problems.seen == []
    assert shot.stat().st_size > 0
    if target := os.environ.get(SCREENSHOT_TO):
        shutil.copyfile(shot, target)
    used = accesses(await custody(live, recording_id))
    assert used[:3] == [("pin", "pin_accepted"), ("page", "served"), ("playback", "served")]
