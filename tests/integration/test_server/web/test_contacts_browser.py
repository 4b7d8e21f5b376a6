"""Who to call, in Chromium: the open incident lists its bank's key-holders with the one to
call next highlighted and phones as tel: links; a call that went unanswered moves the highlight
to the next contact, an answered one ends it, and both calls are on the timeline.

POSBON_CONTACT_SCREENSHOTS names a folder to save the panel's screenshots in (the README's).
SQLite only: the API's own tests cover both engines."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from server.auth.schemas import Role
from tests.integration.live import Live
from tests.integration.test_server.browser import signed_in
from tests.integration.test_server.helpers import post_alert

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NIGHT_DESK: Final = {"width": 1366, "height": 768}
SHOTS: Final = os.environ.get("POSBON_CONTACT_SCREENSHOTS", "")
ALWAYS: Final = [
    {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "00:00"}
]
CONTACTS: Final[list[dict[str, Any]]] = [
    {
        "name": "Aziz Karimov",
        "role": "manager",
        "phones": ["+998901112233"],
        "languages": ["uz", "ru"],
        "hours": ALWAYS,
        "has_password": True,
    },
    {
        "name": "Bobur Rashidov",
        "role": "keyholder",
        "phones": ["+998907654321", "+998662345678"],
        "languages": ["ru"],
    },
    {
        "name": "Dilnoza Yusupova",
        "role": "owner",
        "phones": ["+998935550011"],
        "hours": [{"days": ["sun"], "start": "03:00", "end": "03:01"}],
    },
]


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def _bank_incident(live: Live) -> tuple[int, list[int]]:
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        site = await client.post(
            "/api/v1/sites", json={"name": "Agrobank Registan", "kind": "bank"}
        )
        assert site.status_code == 201, site.text
        ids = []
        for contact in CONTACTS:
            created = await client.post(f"/api/v1/sites/{site.json()['id']}/contacts", json=contact)
            assert created.status_code == 201, created.text
            ids.append(int(created.json()["id"]))
    dispatcher = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, dispatcher, kind="intrusion", site_id=site.json()["id"])
    return int(alert["incident_id"]), ids


async def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.locator("#who-to-call").scroll_into_view_if_needed()
        await page.screenshot(path=str(Path(SHOTS) / name))


async def test_a_dispatcher_calls_down_the_list_and_the_timeline_shows_each_call(
    browser: Browser, live: Live
) -> None:
    incident_id, (aziz, bobur, dilnoza) = await _bank_incident(live)
    page, problems = await signed_in(browser, live, NIGHT_DESK)
    await page.locator(f'tr[data-incident-id="{incident_id}"] button.open').first.click()
    await expect(page.locator("#incident-title")).to_contain_text(f"#{incident_id}")
    listed = page.locator("#who-to-call-list > li")
    await expect(listed).to_have_count(3)
    # Available now first, in call order; the owner whose only hour is a Sunday minute is last.
    assert await listed.evaluate_all("items => items.map(i => Number(i.dataset.contactId))") == [
        aziz,
        bobur,
        dilnoza,
    ]
    first = page.locator(f'#who-to-call-list li[data-contact-id="{aziz}"]')
    await expect(first).to_have_class("contact next")
    await expect(first.locator('a[href="tel:+998901112233"]')).to_be_visible()
    await expect(first).to_contain_text("Has a verbal password")
    await expect(page.locator(f'li[data-contact-id="{dilnoza}"]')).to_contain_text(
        "Not available now"
    )
    await _shot(page, "contacts-who-to-call.png")

    await first.get_by_role("button", name="No answer", exact=True).click()
    second = page.locator(f'#who-to-call-list li[data-contact-id="{bobur}"]')
    await expect(second).to_have_class("contact next")
    await expect(first.locator("ul.calls li")).to_contain_text("No answer")
    await second.locator("select.call-phone").select_option("+998662345678")
    await second.get_by_role("button", name="Answered", exact=True).click()
    await expect(page.locator("#who-to-call-list li.next")).to_have_count(0)

    calls = page.locator('#timeline li[data-kind="call"]')
    await expect(calls).to_have_count(2)
    await expect(calls.nth(0)).to_contain_text("Aziz Karimov, +998901112233: No answer")
    await expect(calls.nth(1)).to_contain_text("Bobur Rashidov, +998662345678: Answered")
    await _shot(page, "contacts-after-calls.png")
    assert problems == []
