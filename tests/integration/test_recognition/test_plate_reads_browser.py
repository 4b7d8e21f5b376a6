"""A "possible" wanted-plate alert on the dispatcher page, in a real Chromium: tagged and
explained above everything else, so it is never taken for a sure match. SQLite only (a page
test). The screenshot goes to $POSBON_SCREENSHOT_DIR (default /tmp)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import Browser, expect

from server.auth.schemas import Role
from server.db import Database
from server.plates.reads import FrameRead, PlateReadLog
from tests.integration.live import Live
from tests.integration.test_server.browser import chromium, open_page, sign_in
from tests.integration.test_server.helpers import post_alert

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SHOTS: Final = Path(os.environ.get("POSBON_SCREENSHOT_DIR", "/tmp"))


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as running:
        yield running


async def test_a_possible_plate_match_is_tagged_and_says_what_was_read(
    browser: Browser, live: Live
) -> None:
    page, problems = await open_page(browser, live, color_scheme="dark", locale="en-GB")
    await sign_in(page, await live.token(Role.DISPATCHER))
    camera = await live.token(Role.CAMERA)
    details = {
        "camera": "ramp",
        "plate": "LM298AI",
        "display": "LM298AI",
        "listed_plate": "LM 298 AT",
        "list": "stolen",
        "possible": True,
        "uncertain": [6],
    }
    possible = await post_alert(
        live, camera, kind="plate_wanted", priority=3, details=details, address="Depot ramp"
    )
    sure = await post_alert(
        live,
        camera,
        kind="plate_wanted",
        details={**details, "plate": "30A123BC", "listed_plate": "30 A 123 BC", "possible": False},
        address="Chorsu gate",
        lat=41.33,
    )
    await page.locator(
        f'#pending tr[data-incident-id="{possible["incident_id"]}"] button.open'
    ).click()
    item = page.locator(f'#incident-alerts li[data-alert-id="{possible["id"]}"]')
    await expect(item.locator(".possible-tag")).to_have_text("Possible")
    await expect(item.locator(".possible-note")).to_contain_text(
        "Possible match: listed LM 298 AT, read LM298AI."
    )
    await expect(item).to_contain_text("P3 Wanted plate from camera")
    await page.screenshot(path=str(SHOTS / "platelog-possible.png"))
    await item.screenshot(path=str(SHOTS / "platelog-possible-alert.png"))
    await page.locator(f'#pending tr[data-incident-id="{sure["incident_id"]}"] button.open').click()
    other = page.locator(f'#incident-alerts li[data-alert-id="{sure["id"]}"]')
    await expect(other).to_contain_text("P2 Wanted plate from camera")
    await expect(other.locator(".possible-tag")).to_have_count(0)
    assert problems.seen == []


async def test_the_plate_search_panel_lists_reads_and_the_search_is_audited(
    browser: Browser, live: Live, db: Database
) -> None:
    now = dt.datetime.now(dt.UTC)
    async with db.write():
        camera = await db.fetch_one(
            "INSERT INTO cameras (name, kind, url, enabled, created_at) "
            "VALUES ('Chorsu gate', 'plate', '', true, {}) RETURNING id",
            now,
        )
    assert camera is not None
    log = PlateReadLog()
    for minutes, text, confidence in ((50, "01A123BC", 0.97), (20, "01A128BC", 0.64)):
        read = FrameRead(text=text, display=text, confidence=confidence)
        log.add(camera["id"], None, [read], {}, now - dt.timedelta(minutes=minutes))
    log.add(camera["id"], None, [FrameRead(text="95X777ZZ", display="", confidence=0.9)], {}, now)
    await log.flush(db)
    page, problems = await open_page(browser, live, color_scheme="dark", locale="en-GB")
    await sign_in(page, await live.token(Role.DISPATCHER))
    await page.get_by_role("button", name="Find plate").click()
    top_bar = await page.locator("header.top").bounding_box()
    assert top_bar is not None
    print(f"top bar height at 1440 px: {top_bar['height']:.0f} px")
    await page.get_by_label("Plate", exact=True).fill("01 a 123 bc")
    await page.get_by_role("button", name="Search", exact=True).click()
    rows = page.locator("#plate-search-results tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("01A128BC")
    await expect(rows.nth(0)).to_contain_text("one character off")
    await expect(rows.nth(1)).to_contain_text("same plate")
    await expect(page.locator("#plate-search-summary")).to_have_text("Reads of 01 A 123 BC: 2")
    await page.screenshot(path=str(SHOTS / "platelog-search.png"))
    audit = await db.fetch("SELECT role, plate, results FROM plate_read_searches")
    assert audit == [{"role": "dispatcher", "plate": "01 a 123 bc", "results": 2}]
    await page.get_by_role("button", name="Statistics").click()  # one side panel at a time
    await expect(page.locator("#plate-search")).to_be_hidden()
    assert problems.seen == []
