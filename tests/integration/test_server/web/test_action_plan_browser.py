"""An incident run through its action plan in Chromium: the checklist shows the plan's steps,
each step marked (done, skipped and failed with their reasons) lands on the timeline, a close
is held while a required step is open and the page says which, and the override with its reason
is recorded before the incident closes.

SQLite only: the page is under test here; both engines are covered by the API's own tests
(tests/integration/test_server/plans). POSBON_PLAN_SCREENSHOTS names a folder to save the
checklist's screenshots in (the README's)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from server.auth.schemas import Role
from tests.integration.live import Live
from tests.integration.test_server.browser import api_get, signed_in
from tests.integration.test_server.helpers import post_alert

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NIGHT_DESK: Final = {"width": 1366, "height": 768}
SHOTS: Final = os.environ.get("POSBON_PLAN_SCREENSHOTS", "")
STEPS: Final = [
    {"text": "Call the branch on its landline", "kind": "call_site"},
    {"text": "Call the key-holders in order", "kind": "call_keyholders"},
    {"text": "Tell the police duty desk", "kind": "notify_police"},
    {"text": "Check the cameras", "kind": "verify_video", "required": False},
]


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def _bank_incident(live: Live) -> int:
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        site = await client.post(
            "/api/v1/sites", json={"name": "Agrobank Registan", "kind": "bank"}
        )
        assert site.status_code == 201, site.text
        plan = {"name": "Bank intrusion", "alert_kind": "intrusion", "site_kind": "bank"}
        created = await client.post("/api/v1/plans", json=plan | {"steps": STEPS})
        assert created.status_code == 201, created.text
    dispatcher = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, dispatcher, kind="intrusion", site_id=site.json()["id"])
    return int(alert["incident_id"])


async def _mark(page: Page, index: int, button: str, reason: str = "") -> None:
    row = page.locator(f'#plan-steps li[data-index="{index}"]')
    if reason:
        await row.locator("input.plan-reason").fill(reason)
    await row.get_by_role("button", name=button, exact=True).click()


async def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.locator("#plan").scroll_into_view_if_needed()
        await page.screenshot(path=str(Path(SHOTS) / name))


async def test_an_incident_runs_through_its_plan_and_closes_only_by_an_override(
    browser: Browser, live: Live
) -> None:
    incident_id = await _bank_incident(live)
    page, problems = await signed_in(browser, live, NIGHT_DESK)
    await page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open').click()
    await expect(page.locator("#incident-title")).to_contain_text(f"#{incident_id}")

    plan = page.locator("#plan")
    await expect(plan).to_be_visible()
    await expect(page.locator("#plan-name")).to_have_text("Bank intrusion, version 1")
    await expect(page.locator("#plan-steps li")).to_have_count(len(STEPS))
    await expect(page.locator("#plan-steps li.plan-open .plan-required")).to_have_count(3)
    await expect(page.locator("#plan-blocked")).to_contain_text("Call the key-holders in order")
    await _shot(page, "plan-checklist-open.png")

    await _mark(page, 0, "Done")
    await expect(page.locator('#plan-steps li[data-index="0"]')).to_have_attribute(
        "data-state", "done"
    )
    await _mark(page, 1, "Skip")  # no reason: the page asks for one, nothing is sent
    await expect(page.locator("#notice")).to_contain_text("type the reason first")
    await _mark(page, 1, "Failed", "Neither key-holder answered")
    await expect(page.locator('#plan-steps li[data-index="1"]')).to_have_attribute(
        "data-state", "failed"
    )
    await _mark(page, 3, "Skip", "No camera at this branch")
    await expect(page.locator('#plan-steps li[data-index="3"]')).to_contain_text(
        "No camera at this branch"
    )

    await page.get_by_label("Outcome").select_option("false_alarm")
    await page.get_by_role("button", name="Resolve", exact=True).click()
    await page.get_by_role("dialog").get_by_role("button", name="Resolve").click()
    await expect(page.locator("#notice")).to_contain_text("Tell the police duty desk")
    await expect(page.locator("#plan-blocked")).to_contain_text("3. Tell the police duty desk")
    assert (await api_get(live, f"/api/v1/incidents/{incident_id}"))["status"] == "new"

    reason = "Manager confirmed on site: staff forgot to disarm"
    await page.get_by_label("Reason to close with required steps open").fill(reason)
    await page.get_by_role("button", name="Override with reason").click()
    await expect(page.locator("#plan-overridden")).to_contain_text(reason)
    await expect(page.locator("#plan-override-form")).to_be_hidden()
    await _shot(page, "plan-checklist-overridden.png")

    await page.get_by_role("button", name="Resolve", exact=True).click()
    await page.get_by_role("dialog").get_by_role("button", name="Resolve").click()
    await expect(page.locator(f'#closed tr[data-incident-id="{incident_id}"]')).to_be_visible()
    await expect(page.locator("#plan .plan-marks")).to_have_count(0)  # closed: nothing to mark

    timeline = page.locator("#timeline li")
    kinds = await timeline.evaluate_all("items => items.map((item) => item.dataset.kind)")
    assert kinds == [
        "created",
        "plan_attached",
        "plan_step",
        "plan_step",
        "plan_step",
        "plan_override",
        "status",
    ]
    await expect(page.locator('#timeline li[data-kind="plan_attached"]')).to_contain_text(
        "Bank intrusion, version 1"
    )
    await expect(page.locator('#timeline li[data-kind="plan_override"]')).to_contain_text(reason)
    failed = page.locator('#timeline li[data-kind="plan_step"]').nth(1)
    await expect(failed).to_contain_text("2. Call the key-holders in order: Failed")
    await expect(failed).to_contain_text("Neither key-holder answered")
    # The one refused close is the browser's logged 409; nothing else went wrong.
    assert [problem for problem in problems if "status of 409" not in problem] == []
    assert len(problems) == 1
