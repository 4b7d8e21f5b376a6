"""The dispatcher page as one screen a night shift works from: at 1366x768 the open incident, its
recommended crew and Dispatch are in view without scrolling; a fresh P1 is sent with the keyboard
alone (n, d, Enter); only the actions the incident's status allows are offered, and closing asks
for an outcome; the crew's report shows as it syncs; a night scheme; statistics beside the queue.

SQLite only: these tests are about the page; both engines are covered by the API's own tests.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from typing import Any, Final

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from server.auth.schemas import Role
from server.auth.service import create_token
from sync import hlc
from sync.entities import (
    DetentionFields,
    IncidentReportFields,
    Outcome,
    PersonRole,
    ReportPersonFields,
)
from sync.messages import SCHEMA_VERSION, PushRequest
from sync.mutations import DetentionAddV1, IncidentReportUpsertV1, ReportPersonAddV1
from sync.server_ids import crew_uuid, incident_uuid
from sync.wire import encode
from tests.integration.live import Live
from tests.integration.test_server.browser import (
    api_get,
    open_page,
    sign_in,
    signed_in,
    wait_live,
)
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NIGHT_DESK: Final = {"width": 1366, "height": 768}
WALL: Final = {"width": 1920, "height": 1080}
NEAR: Final = (39.6550, 66.9760)
FAR: Final = (39.7000, 66.9000)
RAW_ID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}|\d{2}:\d{2}:\d{2}\.\d|\+00:00")
"""A device UUID, a time with fractions of a second, a UTC offset: none belongs on the timeline."""
KEYS_FOR_A_P1: Final = 4
"""Issue 20: a P1 must be dispatchable in at most four keystrokes from its arrival."""
DISPATCHER_IN_OTHER_LANGUAGES: Final = {
    "ru": "диспетчер",
    "uz-Latn": "dispetcher",
    "uz-Cyrl": "диспетчер",
}
LONG_NAME: Final = "Abdurakhmonova Dilnoza Shavkatovna, night shift, Samarkand city centre"
HEADER_ROWS: Final = """
() => {
  const boxes = [...document.querySelectorAll("header.top > *")]
    .filter((item) => item.checkVisibility() && getComputedStyle(item).position !== "absolute")
    .map((item) => item.getBoundingClientRect())
    .sort((a, b) => a.top - b.top);
  let rows = 0;
  let bottom = -Infinity;
  for (const box of boxes) {
    if (box.top >= bottom) rows += 1;
    bottom = box.top >= bottom ? box.bottom : Math.max(bottom, box.bottom);
  }
  return rows;
}
"""
"""How many lines the header's items take (items side by side overlap vertically)."""


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def _desk(
    browser: Browser, live: Live, viewport: dict[str, int] = NIGHT_DESK
) -> tuple[Page, list[str]]:
    return await signed_in(browser, live, viewport)


async def _near_and_far(live: Live) -> tuple[int, int]:
    """Two crews: Berkut-near, the one recommended for a call at the centre, and Berkut-far."""
    admin = await live.token(Role.ADMIN)
    near = await create_crew(live, admin, "Berkut-near", *NEAR)
    return near, await create_crew(live, admin, "Berkut-far", *FAR)


async def _dispatched_and_open(browser: Browser, live: Live) -> tuple[Page, list[str], int, int]:
    """A call dispatched to Berkut-7, open on the desk; the page, its problems, the crew's id and
    the incident's."""
    crew = await create_crew(live, await live.token(Role.ADMIN), "Berkut-7", *NEAR)
    dispatcher = await live.token(Role.DISPATCHER)
    incident_id = (await post_alert(live, dispatcher))["incident_id"]
    await dispatch(live, dispatcher, incident_id, crew)
    page, problems = await _desk(browser, live)
    await page.locator(f'#active tr[data-incident-id="{incident_id}"] button.open').click()
    return page, problems, crew, incident_id


async def _open(page: Page, incident_id: int) -> None:
    await page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open').click()
    await expect(page.locator("#incident-title")).to_contain_text(f"#{incident_id}")


async def _in_viewport(page: Page, locator: Locator) -> bool:
    box = await locator.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{locator} is not rendered"
    assert size is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


async def _page_scrolls(page: Page) -> bool:
    scrolls: bool = await page.evaluate(
        "document.documentElement.scrollHeight > window.innerHeight"
        " || document.documentElement.scrollWidth > window.innerWidth"
    )
    return scrolls


async def _status(live: Live, incident_id: int) -> str:
    incident = await api_get(live, f"/api/v1/incidents/{incident_id}")
    status: str = incident["status"]
    return status


async def test_at_1366x768_the_incident_its_recommended_crew_and_dispatch_are_in_view(
    browser: Browser, live: Live
) -> None:
    await _near_and_far(live)
    dispatcher = await live.token(Role.DISPATCHER)
    for n in range(12):  # a busy queue, and a P1 banner above it all
        await post_alert(live, dispatcher, kind="trouble", address=f"Shop {n}")
    alert = await post_alert(live, dispatcher, kind="panic")
    page, problems = await _desk(browser, live)
    await expect(page.locator("#p1-banner")).to_be_visible()
    await _open(page, alert["incident_id"])
    await expect(page.locator("#dispatch-reason")).to_contain_text("Recommended: Berkut-near")

    assert not await _page_scrolls(page)
    for selector in ("#incident-title", "#incident-facts", "#dispatch-crew", "#dispatch-reason"):
        assert await _in_viewport(page, page.locator(selector)), selector
    assert await _in_viewport(page, page.get_by_role("button", name="Dispatch", exact=True))
    assert await _in_viewport(page, page.locator("#pending-title"))
    assert problems == []


async def test_dispatch_recommended_from_the_queue_row_and_from_the_banner(
    browser: Browser, live: Live
) -> None:
    near, far = await _near_and_far(live)
    page, problems = await _desk(browser, live)
    dispatcher = await live.token(Role.DISPATCHER)
    first = (await post_alert(live, dispatcher, kind="trouble"))["incident_id"]
    row = page.locator(f'#pending tr[data-incident-id="{first}"]')
    await row.get_by_role("button", name="Send the recommended crew").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text(f"Dispatch Berkut-near to incident #{first}?")
    await dialog.get_by_role("button", name="Dispatch Berkut-near").click()
    await expect(page.locator(f'#active tr[data-incident-id="{first}"]')).to_contain_text(
        "Berkut-near"
    )

    second = (await post_alert(live, dispatcher, kind="panic"))["incident_id"]
    banner = page.locator(f'#p1-list li[data-incident-id="{second}"]')
    await banner.get_by_role("button", name="Dispatch recommended").click()
    await expect(dialog).to_contain_text(f"Dispatch Berkut-far to incident #{second}?")
    await dialog.get_by_role("button", name="Dispatch Berkut-far").click()
    await expect(page.locator("#p1-banner")).to_be_hidden()
    assigned = {(await api_get(live, f"/api/v1/incidents/{i}"))["crew_id"] for i in (first, second)}
    assert assigned == {near, far}
    assert problems == []


async def test_a_fresh_p1_is_dispatched_with_the_keyboard_alone(
    browser: Browser, live: Live
) -> None:
    await create_crew(live, await live.token(Role.ADMIN), "Berkut-near", *NEAR)
    page, problems = await _desk(browser, live)
    dispatcher = await live.token(Role.DISPATCHER)
    await post_alert(live, dispatcher, kind="trouble", address="Siab bazaar")  # a P3 waits too
    p1 = (await post_alert(live, dispatcher, kind="panic"))["incident_id"]
    await expect(page.locator(f'#p1-list li[data-incident-id="{p1}"]')).to_be_visible()

    keys = ["n", "d", "Enter"]
    await page.keyboard.press(keys[0])
    await expect(page.locator("#incident-title")).to_contain_text(f"#{p1}")  # P1s come first
    await page.keyboard.press(keys[1])
    await expect(page.get_by_role("dialog")).to_contain_text(
        f"Dispatch Berkut-near to incident #{p1}?"
    )
    await page.keyboard.press(keys[2])
    await expect(page.locator("#p1-banner")).to_be_hidden()
    assert len(keys) <= KEYS_FOR_A_P1
    assert await _status(live, p1) == "dispatched"
    assert problems == []


async def test_shortcuts_never_fire_while_typing_and_question_mark_shows_the_card(
    browser: Browser, live: Live
) -> None:
    page, problems = await _desk(browser, live)
    dispatcher = await live.token(Role.DISPATCHER)
    first = (await post_alert(live, dispatcher, kind="panic"))["incident_id"]
    second = (await post_alert(live, dispatcher, kind="panic", address="Gate 2"))["incident_id"]
    for incident_id in (first, second):  # both in the queue before the keys
        await expect(page.locator(f'#pending tr[data-incident-id="{incident_id}"]')).to_be_visible()
    await page.keyboard.press("n")
    await expect(page.locator("#incident-title")).to_contain_text(f"#{first}")
    await page.keyboard.press("m")
    note = page.get_by_label("Note", exact=True)
    await expect(note).to_be_focused()
    await page.keyboard.type("n d r ?")
    await expect(note).to_have_value("n d r ?")
    await expect(page.locator("dialog[open]")).to_have_count(0)
    await expect(page.locator("#incident-title")).to_contain_text(f"#{first}")

    await page.locator("#incident-title").focus()
    await page.keyboard.press("n")  # the next pending one after the open one
    await expect(page.locator("#incident-title")).to_contain_text(f"#{second}")
    await page.keyboard.press("r")
    await expect(page.get_by_label("Outcome")).to_be_focused()
    await page.locator("#incident-title").focus()
    await page.keyboard.press("?")
    card = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("Dispatch the recommended crew")
    await page.keyboard.press("Escape")
    await expect(card).to_be_hidden()
    assert await _status(live, first) == "new"
    assert problems == []


async def _options(select: Locator) -> list[str]:
    values: list[str] = await select.locator("option").evaluate_all(
        "nodes => nodes.map((node) => node.value)"
    )
    return values


async def test_only_the_actions_the_status_allows_are_offered(browser: Browser, live: Live) -> None:
    near, _ = await _near_and_far(live)
    served = await api_get(live, "/api/v1/incidents/vocabulary")
    dispatcher = await live.token(Role.DISPATCHER)
    incident_id = (await post_alert(live, dispatcher))["incident_id"]
    page, problems = await _desk(browser, live)
    await _open(page, incident_id)
    await expect(page.locator("#dispatch-form")).to_be_visible()
    own = {"dispatched", "resolved", "cancelled", "false_alarm"}
    assert [move for move in served["transitions"]["new"] if move not in own] == []
    await expect(page.locator("#status-form")).to_be_hidden()
    for name in ("Resolve", "Cancel incident", "Mark false alarm"):
        await expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()

    await dispatch(live, dispatcher, incident_id, near)
    status_select = page.get_by_label("New status")
    moves = [move for move in served["transitions"]["dispatched"] if move not in own]
    await expect(status_select.locator("option")).to_have_count(len(moves))
    assert await _options(status_select) == moves
    await expect(status_select).to_have_value("acknowledged")  # forward, never "cancelled"
    assert "primary" not in (await page.locator("#status-button").get_attribute("class") or "")
    assert "primary" in (await page.locator("#dispatch-button").get_attribute("class") or "")
    await expect(page.locator("#dispatch-crew-label")).to_have_text("Send another crew instead")
    assert str(near) not in await _options(page.locator("#dispatch-crew"))
    await expect(page.locator("#dispatch-reason")).not_to_contain_text("Not a suggested crew")

    await page.get_by_label("Outcome").select_option("crime_prevented")
    await page.get_by_role("button", name="Resolve", exact=True).click()
    await page.get_by_role("dialog").get_by_role("button", name="Resolve").click()
    await expect(page.locator(f'#closed tr[data-incident-id="{incident_id}"]')).to_be_visible()
    for form in ("#dispatch-form", "#status-form", "#resolve-form"):
        await expect(page.locator(form)).to_be_hidden()
    await expect(page.get_by_label("Note", exact=True)).to_be_visible()
    assert problems == []


async def test_closing_from_any_open_status_asks_for_an_outcome(
    browser: Browser, live: Live
) -> None:
    crew = await create_crew(live, await live.token(Role.ADMIN), "Berkut-7", *NEAR)
    dispatcher = await live.token(Role.DISPATCHER)
    resolved = (await post_alert(live, dispatcher))["incident_id"]
    cancelled = (await post_alert(live, dispatcher, address="Gate 2"))["incident_id"]
    await dispatch(live, dispatcher, resolved, crew)
    page, problems = await _desk(browser, live)
    await page.locator(f'#active tr[data-incident-id="{resolved}"] button.open').click()
    await expect(page.get_by_label("Outcome")).to_have_value("")
    await page.get_by_role("button", name="Resolve", exact=True).click()
    await expect(page.locator("#notice")).to_contain_text("Choose an outcome")
    await expect(page.get_by_label("Outcome")).to_be_focused()
    await expect(page.locator("dialog[open]")).to_have_count(0)
    await page.get_by_label("Outcome").select_option("persons_detained")
    await page.get_by_role("button", name="Resolve", exact=True).click()  # from "dispatched"
    await page.get_by_role("dialog").get_by_role("button", name="Resolve").click()
    await expect(page.locator(f'#closed tr[data-incident-id="{resolved}"]')).to_be_visible()

    await _open(page, cancelled)
    await page.get_by_role("button", name="Cancel incident").click()
    await expect(page.locator("dialog[open]")).to_have_count(0)
    await page.get_by_label("Outcome").select_option("other")
    await page.get_by_role("button", name="Cancel incident").click()
    await expect(page.get_by_role("dialog")).to_contain_text(f"Cancel incident #{cancelled}")
    await page.get_by_role("dialog").get_by_role("button", name="Cancel incident").click()
    await expect(page.locator(f'#closed tr[data-incident-id="{cancelled}"]')).to_be_visible()
    closed = {i: await api_get(live, f"/api/v1/incidents/{i}") for i in (resolved, cancelled)}
    assert (closed[resolved]["status"], closed[resolved]["outcome"]) == (
        "resolved",
        "persons_detained",
    )
    assert (closed[cancelled]["status"], closed[cancelled]["outcome"]) == ("cancelled", "other")
    assert problems == []


async def _push_report(live: Live, crew: int, incident_id: int) -> None:
    """What the crew's tablet pushes: a report with a narrative and an outcome, a person and
    the person's detention, stamped now."""
    now_ms = int(time.time() * 1000)
    report_id, person_id = uuid.uuid4(), uuid.uuid4()
    report = IncidentReportFields(
        incident_id=incident_uuid(incident_id),
        crew_id=crew_uuid(crew),
        narrative="Door forced; one man inside, held.",
        outcome=Outcome.PERSONS_DETAINED,
    )
    person = ReportPersonFields(report_id=report_id, role=PersonRole.SUSPECT, full_name="Aziz K.")
    detention = DetentionFields(
        report_id=report_id,
        person_id=person_id,
        detained_at=dt.datetime.now(dt.UTC),
        grounds="caught inside",
    )
    common: dict[str, Any] = {"hlc": hlc.pack(now_ms, 0)}
    body = PushRequest(
        schema_version=SCHEMA_VERSION,
        device_id=uuid.uuid4(),
        device_wall_ms=now_ms,
        mutations=[
            IncidentReportUpsertV1(
                mutation_id=uuid.uuid4(), client_seq=1, entity_id=report_id, fields=report, **common
            ),
            ReportPersonAddV1(
                mutation_id=uuid.uuid4(), client_seq=2, entity_id=person_id, fields=person, **common
            ),
            DetentionAddV1(
                mutation_id=uuid.uuid4(),
                client_seq=3,
                entity_id=uuid.uuid4(),
                fields=detention,
                **common,
            ),
        ],
    )
    token = await live.token(Role.CREW, crew)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        response = await client.post("/sync/v1/push", content=encode(body))
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["applied"] * 3, response.text


async def test_the_crews_report_shows_live_as_it_syncs(browser: Browser, live: Live) -> None:
    page, problems, crew, incident_id = await _dispatched_and_open(browser, live)
    report = page.locator("#report")
    await expect(report).to_have_attribute("data-state", "empty")
    await expect(page.get_by_label("Outcome")).to_have_value("")

    # Nothing polls the report: it can only appear through the `report` event the push publishes.
    await _push_report(live, crew, incident_id)
    await expect(page.locator("#report-narrative")).to_have_text(
        "Door forced; one man inside, held."
    )
    await expect(report).to_have_attribute("data-state", "shown")
    await expect(page.locator("#report-facts")).to_contain_text("persons detained")
    await expect(page.locator("#report-persons")).to_contain_text("suspect: Aziz K.")
    await expect(page.locator("#report-detentions")).to_contain_text("Aziz K.: caught inside")
    # The crew's proposal preselects the one outcome the dispatcher's close confirms.
    await expect(page.get_by_label("Outcome")).to_have_value("persons_detained")
    await expect(page.locator("#resolve-proposed")).to_contain_text("persons detained")
    assert problems == []


async def _background(page: Page, selector: str) -> tuple[int, ...]:
    colour: str = await page.locator(selector).first.evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    return tuple(int(part) for part in colour[colour.index("(") + 1 : -1].split(",")[:3])


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


async def test_the_night_scheme_follows_the_browser_and_the_header_toggle(
    browser: Browser, live: Live
) -> None:
    await post_alert(live, await live.token(Role.DISPATCHER), kind="panic")
    page, problems = await _desk(browser, live)
    toggle = page.get_by_role("button", name="Night scheme")
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    assert _luminance(await _background(page, "body")) > 0.5
    await expect(page.locator("#who-name")).to_have_text(re.compile(r"^test-dispatcher-"))
    await expect(page.locator("#who-role")).to_have_text("dispatcher")
    assert await page.evaluate(HEADER_ROWS) == 1

    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    night = _luminance(await _background(page, "body"))
    panel = _luminance(await _background(page, ".panel"))
    assert night < 0.05
    assert panel < 0.05
    r, g, b = await _background(page, "#pending .prio-1")
    assert r > 2 * max(g, b)  # P1 is still unmistakably red
    assert (_luminance((r, g, b)) + 0.05) / (panel + 0.05) > 2.5  # and stands off the panel

    await page.reload()  # remembered in this browser
    await expect(page.locator("html")).to_have_attribute("data-scheme", "dark")
    await page.evaluate("localStorage.removeItem('posbon.scheme')")
    await page.emulate_media(color_scheme="dark")
    await page.reload()
    await expect(page.get_by_role("button", name="Night scheme")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert _luminance(await _background(page, "body")) < 0.05
    assert problems == []


async def test_the_header_names_who_is_signed_in_and_stays_one_line_in_every_language(
    browser: Browser, live: Live
) -> None:
    await post_alert(live, await live.token(Role.DISPATCHER), kind="panic")  # the P1 banner too
    issued = await create_token(live.state.db, LONG_NAME, Role.DISPATCHER)
    page, problems = await open_page(browser, live, NIGHT_DESK, locale="en-US")
    await sign_in(page, issued.token)
    who, name = page.locator("#who"), page.locator("#who-name")
    await expect(name).to_have_text(LONG_NAME)
    await expect(who).to_have_attribute("title", f"Signed in as {LONG_NAME} (dispatcher)")
    assert await name.evaluate("(item) => item.scrollWidth > item.clientWidth")  # an ellipsis
    await expect(page.locator("#who-role")).to_have_text("dispatcher")
    assert await page.evaluate(HEADER_ROWS) == 1
    for language, role in DISPATCHER_IN_OTHER_LANGUAGES.items():
        async with page.expect_navigation():  # choosing a language reloads the page in it
            await page.locator("#language").select_option(language)
        await wait_live(page)
        await expect(page.locator("#who-role")).to_have_text(role)
        await expect(name).to_have_text(LONG_NAME)
        assert await page.evaluate(HEADER_ROWS) == 1, language
    assert problems.seen == []


async def test_at_1920x1080_statistics_open_beside_the_queue_and_the_incident(
    browser: Browser, live: Live
) -> None:
    incident_id = (await post_alert(live, await live.token(Role.DISPATCHER)))["incident_id"]
    page, problems = await _desk(browser, live, WALL)
    await _open(page, incident_id)
    queue = await page.locator("#queue").bounding_box()
    assert queue is not None
    assert queue["height"] > WALL["height"] * 0.6  # the whole height is used

    await page.get_by_role("button", name="Statistics", exact=True).click()
    await expect(page.locator("#stats")).to_have_attribute("data-state", "loaded")
    assert not await _page_scrolls(page)
    for selector in ("#stats-title", "#stats-summary", "#pending-title", "#incident-title"):
        assert await _in_viewport(page, page.locator(selector)), selector
    assert await _in_viewport(page, page.locator(f'#pending tr[data-incident-id="{incident_id}"]'))
    assert problems == []


async def test_the_crew_board_shows_a_crew_out_of_service_and_returning(
    browser: Browser, live: Live
) -> None:
    crew = await create_crew(live, await live.token(Role.ADMIN), "Berkut-7", *NEAR)
    token = await live.token(Role.CREW, crew)
    page, problems = await _desk(browser, live)
    row = page.locator(f'#crew-board tr[data-crew-id="{crew}"]')
    await expect(row).to_contain_text("available")
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        for status, shown in (("out_of_service", "out of service"), ("returning", "returning")):
            response = await client.post("/api/v1/crew-app/status", json={"status": status})
            assert response.status_code == 200, response.text
            await expect(row.locator("td").nth(1)).to_have_text(shown)
            await expect(row).to_have_attribute("data-status", status)
    assert problems == []


async def test_the_timeline_reads_as_words_in_local_time(browser: Browser, live: Live) -> None:
    page, problems, _, incident_id = await _dispatched_and_open(browser, live)
    entry = page.locator('#timeline li[data-kind="dispatched"]')
    await expect(entry).to_contain_text("Berkut-7")
    await expect(entry).to_contain_text("(dispatcher)")
    shown = await entry.locator("time").text_content()
    timeline = await api_get(live, f"/api/v1/incidents/{incident_id}/timeline")
    at = dt.datetime.fromisoformat(timeline[-1]["at"])
    samarkand = at.astimezone(dt.timezone(dt.timedelta(hours=5)))  # Asia/Samarkand: UTC+5, no DST
    assert shown == samarkand.strftime("%H:%M:%S")
    text = await page.locator("#timeline").text_content() or ""
    assert "dispatcher:" not in text
    assert RAW_ID.search(text) is None
    assert problems == []


async def test_dispatch_recommended_from_the_map_markers_popup(
    browser: Browser, live: Live
) -> None:
    near, _ = await _near_and_far(live)
    dispatcher = await live.token(Role.DISPATCHER)
    incident_id = (await post_alert(live, dispatcher, kind="trouble"))["incident_id"]
    page, problems = await _desk(browser, live)
    marker = page.locator("#map .incident-label").filter(
        has_text=re.compile(rf"^P\d #{incident_id}$")
    )
    await marker.click()
    await expect(page.locator("#incident-title")).to_contain_text(f"#{incident_id}")  # opened
    popup = page.locator(f'#map .map-popup[data-incident-id="{incident_id}"]')
    await expect(popup).to_contain_text(f"#{incident_id} Device trouble at Registan")
    await expect(popup.locator(".map-popup-status")).to_have_text("new")

    send = popup.get_by_role("button", name=f"Send the recommended crew to incident #{incident_id}")
    await send.click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text(f"Dispatch Berkut-near to incident #{incident_id}?")
    await dialog.get_by_role("button", name="Dispatch Berkut-near").click()
    # The popup stays with its incident, now dispatched: nothing more to send from it.
    await expect(popup.locator(".map-popup-status")).to_have_text("dispatched")
    await expect(popup.get_by_role("button")).to_have_count(0)
    assert (await api_get(live, f"/api/v1/incidents/{incident_id}"))["crew_id"] == near
    assert problems == []
