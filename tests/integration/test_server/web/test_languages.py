"""The dispatcher page in Uzbek (Cyrillic) at a night desk's 1366 by 768, with the demo data: the
language comes from the browser, `<html lang>` follows it, no English word is left on screen (or in
a title, label or placeholder a person reads), and every time is in the deployment's zone
(Asia/Samarkand), not the browser's (New York here).

Words in the server's data are names, not English: sites, addresses, districts, crews and their
members, cameras, alert sources and the outline map's names; codes (P1, SOS, CSV) and numbers too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect

from server.auth.schemas import Role
from server.web.routes import BASEMAP_FILE
from tests.integration.live import Live
from tests.integration.test_server.browser import (
    PageProblems,
    api_get,
    demo_with_calls,
    open_page,
    wait_live,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NIGHT_DESK: Final = {"width": 1366, "height": 768}
ZONE: Final = ZoneInfo("Asia/Samarkand")
BROWSER_ZONE: Final = "America/New_York"
CODES: Final = frozenset({"Posbon", "SOS", "CSV", "GPS", "ID", "ETA", "OK", "Leaflet", "MapLibre"})
LANGUAGE_NAMES: Final = frozenset({"O'zbekcha", "English"})
CODE: Final = re.compile(r"^(?:[A-Za-z]{0,3}\d+[A-Za-z]{0,3}|[A-Za-z])$")
WORD: Final = re.compile(r"[A-Za-z][A-Za-z0-9'\u2019\u02bb]*")

SHOWN_TEXTS: Final = """
() => {
  const shown = (element) =>
    element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
    !element.closest("[hidden], script, style, code, template");
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (text === "" || parent === null) continue;
    if (shown(parent.tagName === "OPTION" ? parent.closest("select") : parent)) texts.push(text);
  }
  for (const name of ["title", "aria-label", "placeholder", "alt"]) {
    for (const element of document.body.querySelectorAll(`[${name}]`)) {
      if (shown(element)) texts.push(element.getAttribute(name));
    }
  }
  texts.push(document.title);
  return texts;
}
"""


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


def words_of(values: list[Any]) -> set[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, str):
            found |= {word.lower() for word in WORD.findall(value)}
    return found


async def names_in_the_data(live: Live) -> set[str]:
    sites = await api_get(live, "/api/v1/sites?limit=1000")
    crews = await api_get(live, "/api/v1/crews?limit=1000")
    cameras = await api_get(live, "/api/v1/cameras?limit=1000")
    alerts = await api_get(live, "/api/v1/alerts?limit=1000")
    values: list[Any] = []
    for site in sites:
        values += [site.get("name"), site.get("address"), site.get("district")]
    for crew in crews:
        values += [crew.get("name"), *crew.get("members", [])]
    values += [camera.get("name") for camera in cameras]
    for alert in alerts:
        values += [alert.get("source"), (alert.get("site") or {}).get("name")]
        values += [(alert.get("site") or {}).get("address")]
    for plan in await api_get(live, "/api/v1/plans"):  # the centre writes its own plans
        values += [plan["name"], *(step["text"] for step in plan["steps"])]
    for site in sites:  # and its key-holders: names, roles, notes, language codes
        for contact in await api_get(live, f"/api/v1/sites/{site['id']}/contacts"):
            values += [contact["name"], contact["role"], contact["note"], *contact["languages"]]
    for incident in await api_get(live, "/api/v1/incidents?limit=1000"):
        for entry in await api_get(live, f"/api/v1/incidents/{incident['id']}/timeline"):
            values.append(entry["actor"].partition(":")[2] or entry["actor"])  # "role:name"
    for token in await api_get(live, "/api/v1/tokens?limit=1000"):  # the header names who
        values.append(token["name"])  # is signed in: a token's name, or a person's
    outline = json.loads(BASEMAP_FILE.read_text(encoding="utf-8"))
    values += [feature["properties"].get("name") for feature in outline["features"]]
    return words_of(values)


def english_left(texts: list[str], names: set[str]) -> dict[str, list[str]]:
    """Text → its Latin-script words that are neither names from the data nor codes."""
    left = {}
    for text in texts:
        if text in LANGUAGE_NAMES:
            continue
        words = [
            word
            for word in WORD.findall(text)
            if word not in CODES and not CODE.match(word) and word.lower() not in names
        ]
        if words:
            left[text] = words
    return left


def test_the_english_check_sees_english_and_lets_names_and_codes_pass() -> None:
    texts = ["Ҳодиса №12: P1 Registan", "Dispatch", "SOS 09:12:44", "O'zbekcha", "crew 3"]
    assert english_left(texts, {"registan"}) == {"Dispatch": ["Dispatch"], "crew 3": ["crew"]}


async def signed_in_uzbek_cyrillic(browser: Browser, live: Live) -> tuple[Page, PageProblems]:
    page, problems = await open_page(
        browser, live, NIGHT_DESK, locale="uz-Cyrl-UZ", timezone_id=BROWSER_ZONE
    )
    await page.locator("#token").fill(await live.token(Role.DISPATCHER))
    await page.locator("#signin-form [type=submit]").click()
    await wait_live(page)
    return page, problems


def samarkand_time(at: str) -> str:
    return dt.datetime.fromisoformat(at).astimezone(ZONE).strftime("%H:%M:%S")


async def test_the_uzbek_cyrillic_page_has_no_english_and_samarkand_times(
    browser: Browser, live: Live
) -> None:
    await demo_with_calls(live)
    page, problems = await signed_in_uzbek_cyrillic(browser, live)
    await expect(page.locator("html")).to_have_attribute("lang", "uz-Cyrl")
    await expect(page.locator("#language")).to_have_value("uz-Cyrl")
    await page.locator("#pending tbody tr button.open").first.click()
    await expect(page.locator("#timeline li").first).to_be_visible()
    await expect(page.locator("#dispatch-reason")).not_to_be_empty()  # the suggestions are in

    left = english_left(await page.evaluate(SHOWN_TEXTS), await names_in_the_data(live))
    assert left == {}, "\n".join(f"{text!r}: {words}" for text, words in left.items())

    times = await page.locator("time[datetime]").evaluate_all(
        "items => items.map((item) => [item.getAttribute('datetime'), item.textContent.trim()])"
    )
    clock_times = [(at, text) for at, text in times if re.fullmatch(r"\d\d:\d\d:\d\d", text)]
    assert clock_times, times
    assert [text for _, text in clock_times] == [samarkand_time(at) for at, _ in clock_times]
    formatted = await page.evaluate(
        "import('/static/js/i18n.js').then((i18n) => i18n.formatTime('2026-03-08T19:04:05Z'))"
    )
    assert formatted == "00:04:05"  # Samarkand (UTC+5), while the browser is in New York
    assert problems.seen == []


async def test_the_language_picker_switches_and_remembers(browser: Browser, live: Live) -> None:
    page = await browser.new_page(viewport=NIGHT_DESK, locale="en-US")  # type: ignore[arg-type]
    await page.goto(live.http + "/")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#signin-title")).to_have_text("Sign in")
    await page.locator("#language").select_option("ru")
    await expect(page.locator("html")).to_have_attribute("lang", "ru")
    await expect(page.locator("#signin-title")).to_have_text("Вход")
    await page.reload()
    await expect(page.locator("html")).to_have_attribute("lang", "ru")
    await expect(page.get_by_label("Токен диспетчера")).to_be_visible()
    assert await page.evaluate("localStorage.getItem('posbon.lang')") == "ru"
