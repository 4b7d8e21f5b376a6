"""The dispatcher-crew loop on an 800x1280 tablet in a real Chromium against the real server: a
note and a cancellation made while the tablet is offline reach it once it is back (the
cancellation as a full-screen stand-down that sounds until tapped), another crew taking the call
stands the tablet down too, the crew sets its own status for the dispatcher's board, the resolve
closes the call with the report's outcome and returns to standby, the Uzbek Cyrillic call screen
has no Latin script left, and the night scheme follows the system and the remembered toggle.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import AsyncIterator
from typing import Any, Final

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from server.auth.schemas import Role
from tests.eventually import eventually
from tests.integration.live import Live
from tests.integration.test_server.crew_app.test_crew_app import HERE, REGISTAN, Setup, Tablet
from tests.integration.test_server.helpers import create_crew, dispatch

pytestmark = [pytest.mark.integration, pytest.mark.browser]

TABLET: Final = {"width": 800, "height": 1280}
TIME_ZONE: Final = zoneinfo.ZoneInfo("Asia/Samarkand")  # the default deployment's zone
SERVER_WAIT_S: Final = 10.0
LATIN: Final = re.compile(r"[A-Za-z]")
BLACK: Final = "rgb(0, 0, 0)"
WHITE: Final = "rgb(255, 255, 255)"


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def _tablet(browser: Browser, live: Live, **options: Any) -> Tablet:
    context = await browser.new_context(
        viewport=TABLET,  # type: ignore[arg-type]
        geolocation=HERE,  # type: ignore[arg-type]
        permissions=["geolocation"],
        **({"locale": "en-GB"} | options),
    )
    return Tablet(context, await context.new_page(), live)


@pytest.fixture
async def tablet(browser: Browser, live: Live) -> AsyncIterator[Tablet]:
    made = await _tablet(browser, live)
    try:
        yield made
    finally:
        await made.context.close()


@pytest.fixture
async def setup(live: Live) -> Setup:
    admin = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, admin, "Burgut-1", REGISTAN["lat"], REGISTAN["lon"])
    return Setup(
        live, crew_id, await live.token(Role.CREW, crew_id), await live.token(Role.DISPATCHER)
    )


async def _post(setup: Setup, path: str, body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(
        base_url=setup.live.http, headers=setup.live.headers(setup.dispatcher)
    ) as client:
        response = await client.post(path, json=body)
    assert response.status_code in (200, 204), response.text
    return response


async def _acknowledged_call(tablet: Tablet, setup: Setup, **alert: Any) -> int:
    incident_id = await setup.dispatch_new_call(**alert)
    await tablet.page.get_by_role("alertdialog").get_by_role("button").click()
    await expect(tablet.outbox("sent")).to_have_count(1)
    return incident_id


def _stand_down(page: Page) -> Any:
    return page.locator("#stand-down")


async def test_a_note_and_a_cancellation_made_offline_reach_the_tablet_once_back(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    incident_id = await _acknowledged_call(tablet, setup)
    page = tablet.page
    await tablet.offline()
    await _post(setup, f"/api/v1/incidents/{incident_id}/notes", {"text": "Back door, not front."})
    await _post(
        setup,
        f"/api/v1/incidents/{incident_id}/status",
        {"status": "cancelled", "outcome": "other"},
    )
    await expect(_stand_down(page)).to_be_hidden()

    await tablet.online()
    stand_down = page.get_by_role("alertdialog", name="STAND DOWN")
    await expect(stand_down).to_be_visible()
    await expect(stand_down).to_contain_text(f"The dispatcher cancelled call #{incident_id}.")
    await expect(page.locator("#sound")).to_have_attribute("data-repeating", "true")
    # The note is on the call screen under it, once, at Samarkand's time.
    (note,) = [e for e in await setup.timeline(incident_id) if e["kind"] == "note"]
    at = dt.datetime.fromisoformat(note["at"]).astimezone(TIME_ZONE)
    notes = page.locator("#notes li")
    await expect(notes).to_have_count(1)
    await expect(notes).to_contain_text("Back door, not front.")
    await expect(notes.locator("time")).to_have_text(at.strftime("%H:%M:%S"))
    await expect(page.locator("#sound")).to_have_attribute("data-chimed", "1")

    await page.reload()  # the stand-down waits for the crew's tap, across a reload too
    await tablet.wait_link("live")
    await expect(stand_down).to_be_visible()
    await stand_down.get_by_role("button", name="Understood").click()
    await expect(_stand_down(page)).to_be_hidden()
    await expect(page.locator("#sound")).to_have_attribute("data-repeating", "false")
    await expect(page.locator("#no-call")).to_be_visible()
    await expect(page.locator("#call-body")).to_be_hidden()
    await expect(tablet.html).to_have_attribute("data-stand-downs", "1")
    assert tablet.unexpected() == []


async def test_the_call_given_to_another_crew_stands_the_tablet_down(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    incident_id = await _acknowledged_call(tablet, setup)
    admin = await setup.live.token(Role.ADMIN)
    other = await create_crew(setup.live, admin, "Lochin-2", REGISTAN["lat"], REGISTAN["lon"])
    await dispatch(setup.live, setup.dispatcher, incident_id, other)
    stand_down = tablet.page.get_by_role("alertdialog", name="STAND DOWN")
    await expect(stand_down).to_contain_text(f"Call #{incident_id} was given to another crew.")
    await stand_down.get_by_role("button", name="Understood").click()
    await expect(tablet.page.locator("#no-call")).to_be_visible()
    assert tablet.unexpected() == []


async def test_the_crew_sets_itself_out_of_service_and_the_dispatcher_sees_it(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    page = tablet.page
    await expect(page.locator("#crew-name")).to_have_text("Crew Burgut-1")
    out = page.get_by_role("button", name="Out of service")
    await out.click()
    await expect(out).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#crew-status")).to_have_text("The dispatcher sees: out of service")

    async def status() -> str:
        crew = (await setup.get(f"/api/v1/crews/{setup.crew_id}")).json()
        assert crew["status"] == "out_of_service"
        return str(crew["status"])

    assert await eventually(status, timeout_s=SERVER_WAIT_S) == "out_of_service"

    await tablet.offline()  # no link: the buttons say so rather than pretend
    await expect(out).to_be_disabled()
    await expect(page.locator("#crew-status-note")).to_contain_text("needs a link")
    await page.reload()  # the header still names the crew, from the tablet's copy
    await tablet.wait_link("offline")
    await expect(page.locator("#crew-name")).to_have_text("Crew Burgut-1")
    await tablet.online()
    await page.get_by_role("button", name="Available").click()
    await expect(page.get_by_role("button", name="Available")).to_have_attribute(
        "aria-pressed", "true"
    )
    crew = (await setup.get(f"/api/v1/crews/{setup.crew_id}")).json()
    assert crew["status"] == "available"
    assert tablet.unexpected() == []


async def test_the_resolve_closes_the_call_with_the_reports_outcome(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    incident_id = await _acknowledged_call(tablet, setup)
    page = tablet.page
    await tablet.tap("On scene")
    await page.locator("#report").get_by_label("Outcome").select_option("persons_detained")
    await page.get_by_role("button", name="Save draft").click()
    applied = tablet.outbox("applied")
    await expect(applied).to_have_count(1)
    await expect(applied).to_contain_text(f"Report of call #{incident_id}")
    await expect(applied).to_contain_text("saved on the server")
    await expect(page.locator("#outbox")).not_to_contain_text("state_")

    await tablet.tap("Resolve")
    await expect(page.locator("#resolve-outcome")).to_have_value("persons_detained")
    await page.get_by_role("button", name="Resolve the call").click()
    await expect(page.locator("#no-call")).to_be_visible()  # back to standby
    await expect(_stand_down(page)).to_be_hidden()
    incident = (await setup.get(f"/api/v1/incidents/{incident_id}")).json()
    assert incident["status"] == "resolved"
    assert incident["outcome"] == "persons_detained"
    rows = await setup.synced_rows(incident_id)
    (report,) = [row for row in rows if row["kind"] == "incident_report"]
    assert report["fields"]["outcome"]["value"] == "persons_detained"
    assert tablet.unexpected() == []


async def test_the_uzbek_cyrillic_call_screen_has_no_latin_script_left(
    browser: Browser, live: Live, setup: Setup
) -> None:
    tablet = await _tablet(browser, live)
    await tablet.context.add_init_script("localStorage.setItem('posbon.lang', 'uz-Cyrl')")
    try:
        page = tablet.page
        await page.goto(live.http + "/crew/")
        await expect(tablet.html).to_have_attribute("lang", "uz-Cyrl")
        await page.locator("#token").fill(setup.crew_token)
        await page.locator("#signin-form [type=submit]").click()
        await tablet.wait_link("live")
        incident_id = await setup.dispatch_new_call(address="Регистон майдони")
        await page.locator("#alert-ack").click()
        await expect(tablet.outbox("sent")).to_have_count(1)
        await _post(setup, f"/api/v1/incidents/{incident_id}/notes", {"text": "Орқа эшик."})
        await expect(page.locator("#notes li")).to_have_count(1)
        await page.locator("#call button.action[data-status=resolved]").click()
        for part in ("#call", "#outbox", "#link"):
            text = await page.locator(part).inner_text()
            assert LATIN.findall(text) == [], (part, text)
        assert tablet.unexpected() == []
    finally:
        await tablet.context.close()


@pytest.mark.parametrize(
    ("system", "first", "then"), [("dark", "night", "day"), ("light", "day", "night")]
)
async def test_the_night_scheme_follows_the_system_until_toggled_and_is_remembered(
    browser: Browser, live: Live, system: str, first: str, then: str
) -> None:
    tablet = await _tablet(browser, live, color_scheme=system)
    colours = {"night": BLACK, "day": WHITE}
    try:
        page = tablet.page
        body = page.locator("body")
        toggle = page.get_by_role("button", name="Night")
        await page.goto(live.http + "/crew/")
        await expect(tablet.html).to_have_attribute("data-scheme", first)
        await expect(body).to_have_css("background-color", colours[first])
        await expect(toggle).to_have_attribute("aria-pressed", str(first == "night").lower())
        await toggle.click()
        await expect(tablet.html).to_have_attribute("data-scheme", then)
        await expect(body).to_have_css("background-color", colours[then])
        await page.reload()
        await expect(tablet.html).to_have_attribute("data-scheme", then)
        await expect(toggle).to_have_attribute("aria-pressed", str(then == "night").lower())
    finally:
        await tablet.context.close()
