"""Notices from Who to call, in Chromium, against the SMPP stand-in speaking real SMPP: a
key-holder's SMS sent from the page while the gateway is down shows as retrying (never lost),
then sent once the gateway is back, then delivered when its receipt comes, each step on the
timeline; only the channels the server has a gateway for are offered (SMS and the duty desk's
phone here; no Telegram).

POSBON_NOTICE_SCREENSHOTS names a folder to save screenshots in. SQLite only: the API's own
tests cover both engines."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import Browser, Page, expect

from server.db import Database
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.live import serve
from tests.integration.test_server.browser import signed_in
from tests.integration.test_server.notify.support import bank_alarm, notifying
from tests.smpp_server import running_smsc

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NIGHT_DESK: Final = {"width": 1366, "height": 768}
SHOTS: Final = os.environ.get("POSBON_NOTICE_SCREENSHOTS", "")


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.locator("#who-to-call").scroll_into_view_if_needed()
        await page.screenshot(path=str(Path(SHOTS) / name))


async def test_a_keyholder_sms_from_the_page_waits_for_the_gateway_and_is_delivered(
    browser: Browser, settings: Settings, db: Database
) -> None:
    with running_smsc() as smsc:
        smsc.down = True
        async with serve(notifying(settings, smsc), db) as live:
            scene = await bank_alarm(live, ["ru", "uz"])
            page, problems = await signed_in(browser, live, NIGHT_DESK)
            row = page.locator(f'tr[data-incident-id="{scene.incident_id}"] button.open')
            await row.first.click()
            keyholder = page.locator(f'#who-to-call-list li[data-contact-id="{scene.contact_id}"]')
            await expect(keyholder).to_contain_text("Dilshod Karimov")
            # No Telegram bot is configured: only SMS is offered, to the contact and the desk.
            await expect(keyholder.locator('button[data-channel="telegram"]')).to_have_count(0)
            desk = page.locator("#duty-desk")
            await expect(desk.get_by_role("button")).to_have_text(
                ["Notify the police duty desk (SMS)"]
            )

            await keyholder.get_by_role("button", name="Send an SMS to Dilshod Karimov").click()
            notice = keyholder.locator("ul.notices li")
            await expect(notice).to_have_attribute("data-state", "retrying")
            await expect(notice).to_contain_text("SMS to 998901234567: retrying (next try at")
            await _shot(page, "notices-retrying.png")

            smsc.down = False
            await expect(notice).to_have_attribute("data-state", "sent")
            await eventually(smsc.messages)
            await asyncio.to_thread(smsc.deliver_receipts)
            await expect(notice).to_have_attribute("data-state", "delivered")
            await expect(notice).to_contain_text("SMS to 998901234567: delivered")

            timeline = page.locator('#timeline li[data-kind^="notice_"]')
            kinds = timeline.evaluate_all("items => items.map(item => item.dataset.kind)")
            await expect(timeline.last).to_have_attribute("data-kind", "notice_delivered")
            found = await kinds
            assert found[0] == "notice_queued"
            assert "notice_retrying" in found
            assert found[-2:] == ["notice_submitted", "notice_delivered"]
            await expect(timeline.last).to_contain_text("SMS to Dilshod Karimov")

            await desk.get_by_role("button").click()
            await expect(desk.locator("ul.notices li")).to_have_attribute("data-state", "sent")
            await expect(desk.locator("ul.notices li")).to_contain_text("SMS to 99871102")
            await _shot(page, "notices-delivered.png")
            assert problems == []
