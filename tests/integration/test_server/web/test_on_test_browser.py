"""On test, in Chromium: a school put on test shows in the queue column's On test section,
counting the alarms its panel sends over DC-09 while none of them reaches the pending queue or
the P1 banner; its report lists every zone; "End now" ends the window, and the next alarm is
queued as usual.

POSBON_ON_TEST_SCREENSHOTS names a folder to save screenshots in. SQLite only: the API's own
tests cover both engines."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import Browser, Page, expect

from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import (
    Gateway,
    cid_frame,
    exchange,
    gateway_on,
    reply_token,
)
from tests.integration.test_server.browser import signed_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NIGHT_DESK: Final = {"width": 1366, "height": 768}
SHOTS: Final = os.environ.get("POSBON_ON_TEST_SCREENSHOTS", "")
ACCOUNT: Final = "6301"
SCHOOL: Final = "School No. 5"


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


async def _alarm(gw: Gateway, seq: int, zone: int, code: str = "130") -> None:
    (reply,) = await exchange(gw.port, cid_frame(ACCOUNT, seq, code, "1", zone), 1)
    assert reply_token(reply) == "ACK"


async def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / name))


async def test_a_school_on_test_is_listed_with_its_report_until_ended_now(
    browser: Browser, gw: Gateway
) -> None:
    device = await gw.add_device(ACCOUNT, site=SCHOOL)
    async with gw.client(gw.dispatcher) as http:
        started = await http.post(
            f"/api/v1/sites/{device['site_id']}/tests",
            json={"minutes": 30, "reason": "Installer walks every zone"},
        )
    assert started.status_code == 201, started.text
    test_id = started.json()["id"]
    page, problems = await signed_in(browser, gw.live, NIGHT_DESK)
    item = page.locator(f'#on-test-list li[data-test-id="{test_id}"]')
    await expect(item).to_contain_text(SCHOOL)
    await expect(item).to_contain_text("Installer walks every zone")
    await expect(item.locator(".on-test-until")).to_have_text(re.compile(r"^until \d\d:\d\d$"))
    await expect(item).to_contain_text("0 signals received")

    for seq, zone in enumerate((1, 2, 3, 3), start=1):
        await _alarm(gw, seq, zone, "130" if zone != 3 else "110")
    await expect(item).to_contain_text("4 signals received")
    await expect(page.locator("#pending tbody tr")).to_have_count(0)
    await expect(page.locator("#p1-banner")).to_be_hidden()

    await item.get_by_role("button", name=f"Test report of {SCHOOL}").click()
    zones = item.locator(".on-test-zones tbody tr")
    await expect(zones).to_have_count(3)
    assert await zones.evaluate_all("rows => rows.map(row => row.dataset.zone)") == [
        "001",
        "002",
        "003",
    ]
    await expect(zones.nth(2)).to_contain_text("110")
    await expect(item.locator(".on-test-report")).to_contain_text("4 signals in the window")
    # A signal while the report is open shows in it too.
    await _alarm(gw, 5, 4)
    await expect(zones).to_have_count(4)
    await expect(item).to_contain_text("5 signals received")
    await _shot(page, "on-test-report.png")

    await item.get_by_role("button", name=f"End the test of {SCHOOL} now").click()
    await expect(page.locator("#on-test")).to_be_hidden()
    await _alarm(gw, 6, 5)
    await expect(page.locator("#pending tbody tr")).to_have_count(1)
    await expect(page.locator("#pending tbody tr")).to_contain_text(SCHOOL)
    await _shot(page, "on-test-ended.png")
    assert problems == []
