"""The offline vector basemap in Debian's Chromium: both apps draw MapLibre over the PMTiles file
Posbon serves (`--basemap`), read by byte range from Posbon and nowhere else, with street names,
house numbers at street zoom, and crew markers in their status colour; without a basemap the
Leaflet outline map stays, its crew markers coloured the same way. An incident's popup sends its
recommended crew; both map kinds follow the app's own night toggle.

SQLite only: these tests are about the pages.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.async_api import Browser, Locator, Page, Request, expect

from server.auth.schemas import Role
from server.settings import Settings
from server.web.routes import STATIC_DIR
from tests.integration.live import Live
from tests.integration.test_server.browser import PageProblems, api_get, sign_in
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert
from tests.integration.test_server.web.basemap_tiles import (
    ADDRESSES,
    CENTRE,
    CYRILLIC_STREET,
    MAJOR_STREET,
    MINOR_STREET,
    write_city,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DESK: Final = {"width": 1366, "height": 768}
TABLET: Final = {"width": 800, "height": 1280}
WAIT_MS: Final = 30_000
# vector-map.js CREW_STATUS_COLOURS
AVAILABLE: Final = "#15803d"
DISPATCHED: Final = "#b45309"
STREET_LABELS: Final = ["roads_labels_major", "roads_labels_minor"]
FAR: Final = 0.004
"""Degrees of latitude (about 450 m) that keep a label clear of another at the outline map's
first zoom (13, about 30 px), but not one zoom out."""


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture
def with_basemap() -> bool:
    return True


@pytest.fixture
def settings(tmp_path: Path, with_basemap: bool) -> Settings:
    """With the test city as `--basemap`, unless a test sets `with_basemap` to False."""
    basemap = str(write_city(tmp_path / "city.pmtiles")) if with_basemap else ""
    return Settings(data_dir=str(tmp_path / "var"), basemap=basemap)


def rgba(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},1)"


async def two_crews(live: Live) -> tuple[int, int]:
    """One available crew and one dispatched, near the centre."""
    admin = await live.token(Role.ADMIN)
    free = await create_crew(live, admin, "Lochin-free", CENTRE[0] + 0.002, CENTRE[1] - 0.004)
    sent = await create_crew(live, admin, "Burgut-sent", CENTRE[0] - 0.002, CENTRE[1] + 0.004)
    dispatcher = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, dispatcher)
    await dispatch(live, dispatcher, int(alert["incident_id"]), sent)
    return free, sent


class Requests:
    """Every request a page makes: the basemap's, and any that leave Posbon."""

    def __init__(self, page: Page, origin: str) -> None:
        self.origin = origin
        self.urls: list[str] = []
        self.ranges: list[str] = []
        page.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        self.urls.append(request.url)
        if request.url.endswith("/basemap.pmtiles"):
            self.ranges.append(request.headers.get("range", ""))

    def foreign(self) -> list[str]:
        return [
            url
            for url in self.urls
            if not url.startswith((self.origin, "data:", "blob:", "chrome-extension:"))
        ]


async def signed_in_desk(
    browser: Browser, live: Live, **options: Any
) -> tuple[Page, PageProblems, Requests]:
    """The dispatcher page at a desk, signed in, with every request it made from the start."""
    page = await browser.new_page(viewport=DESK, **options)  # type: ignore[arg-type]
    problems = PageProblems(page)
    requests = Requests(page, live.http)
    await page.goto(live.http + "/")
    await sign_in(page, await live.token(Role.DISPATCHER))
    return page, problems, requests


async def vector_map_loaded(page: Page) -> None:
    await page.wait_for_function(
        "() => document.getElementById('map').maplibreMap?.loaded()", timeout=WAIT_MS
    )


async def rendered(page: Page, layers: list[str], field: str, zoom: float) -> list[str]:
    """The `field` of every feature MapLibre draws in `layers`, once the map sits at `zoom` over
    the centre and has drawn everything it asked for."""
    values: list[str] = await page.evaluate(
        """async ([layers, field, zoom, centre]) => {
          const map = document.getElementById('map').maplibreMap;
          map.jumpTo({ center: [centre[1], centre[0]], zoom });
          const deadline = Date.now() + 20000;
          for (;;) {
            const found = map.queryRenderedFeatures({ layers })
              .map((feature) => String(feature.properties[field] ?? ""));
            if ((map.loaded() && found.length > 0) || Date.now() > deadline) return found;
            await new Promise((resolve) => map.once('idle', resolve));
          }
        }""",
        [layers, field, zoom, list(CENTRE)],
    )
    return values


async def crew_colours(page: Page) -> dict[str, str]:
    """Crew name → the circle colour MapLibre drew it in."""
    colours: dict[str, str] = await page.evaluate(
        """async (centre) => {
          const map = document.getElementById('map').maplibreMap;
          map.jumpTo({ center: [centre[1], centre[0]], zoom: 14 });
          const deadline = Date.now() + 20000;
          for (;;) {
            const found = map.queryRenderedFeatures({ layers: ['posbon-crews'] });
            if (found.length >= 2 || Date.now() > deadline) {
              return Object.fromEntries(found.map((feature) => {
                const c = feature.layer.paint['circle-color'];
                const [r, g, b] = [c.r, c.g, c.b].map((part) => Math.round(part * 255));
                return [feature.properties.label, `rgba(${r},${g},${b},${c.a})`];
              }));
            }
            await new Promise((resolve) => map.once('idle', resolve));
          }
        }""",
        list(CENTRE),
    )
    return colours


async def median_luminance(page: Page, selector: str) -> float:
    """The median relative luminance (0 black, 1 white) of what the element shows on screen."""
    png = await page.locator(selector).screenshot()
    luminance: float = await page.evaluate(
        """async (bytes) => {
          const blob = new Blob([new Uint8Array(bytes)], { type: 'image/png' });
          const image = await createImageBitmap(blob);
          const canvas = new OffscreenCanvas(image.width, image.height);
          const context = canvas.getContext('2d');
          context.drawImage(image, 0, 0);
          const { data } = context.getImageData(0, 0, image.width, image.height);
          const linear = (v) => {
            const c = v / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          };
          const values = [];
          for (let i = 0; i < data.length; i += 4) {
            const [r, g, b] = [data[i], data[i + 1], data[i + 2]].map(linear);
            values.push(0.2126 * r + 0.7152 * g + 0.0722 * b);
          }
          values.sort((a, b) => a - b);
          return values[Math.floor(values.length / 2)];
        }""",
        list(png),
    )
    return luminance


async def test_the_dispatcher_map_draws_named_streets_and_crews_by_status_from_posbon(
    browser: Browser, live: Live
) -> None:
    await two_crews(live)
    page, problems, requests = await signed_in_desk(browser, live)
    await vector_map_loaded(page)

    streets = await rendered(page, STREET_LABELS, "name", 16)
    assert {MAJOR_STREET, MINOR_STREET, CYRILLIC_STREET} <= set(streets), streets
    numbers = await rendered(page, ["address_label"], "addr_housenumber", 18.5)
    assert {number for number, _ in ADDRESSES} <= set(numbers), numbers
    colours = await crew_colours(page)
    assert colours == {"Lochin-free": rgba(AVAILABLE), "Burgut-sent": rgba(DISPATCHED)}
    legend = page.locator("#map .crew-status-legend")
    await expect(legend).to_contain_text("Crew status")
    await expect(legend.locator('[data-status="out_of_service"]')).to_have_text("out of service")

    assert requests.ranges
    assert all(value.startswith("bytes=") for value in requests.ranges)
    assert any("/static/vendor/fonts/" in url for url in requests.urls)
    assert requests.foreign() == []
    assert problems.seen == []


async def test_the_tablet_map_draws_the_basemap_from_posbon(browser: Browser, live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, admin, "Lochin-1", CENTRE[0], CENTRE[1])
    context = await browser.new_context(
        viewport=TABLET,  # type: ignore[arg-type]
        geolocation={"latitude": CENTRE[0] + 0.001, "longitude": CENTRE[1]},
        permissions=["geolocation"],
        locale="en-GB",
    )
    try:
        page = await context.new_page()
        problems = PageProblems(page)
        requests = Requests(page, live.http)
        await page.goto(live.http + "/crew/")
        await page.get_by_label("Crew token").fill(await live.token(Role.CREW, crew_id))
        await page.get_by_role("button", name="Sign in").click()
        await vector_map_loaded(page)
        streets = await rendered(page, STREET_LABELS, "name", 16)
        assert {MAJOR_STREET, CYRILLIC_STREET} <= set(streets), streets
        assert any(url.endswith("/api/v1/crew-app/basemap.pmtiles") for url in requests.urls)
        drawn = page.locator("#map")
        await expect(drawn).to_have_attribute("data-basemap-scheme", "light")
        await page.locator("#scheme").click()  # the tablet's own day/night toggle
        await expect(page.locator("html")).to_have_attribute("data-scheme", "night")
        await expect(drawn).to_have_attribute("data-basemap-scheme", "dark")
        assert await drawn_background(page) == style_background("dark")
        assert requests.foreign() == []
        assert problems.seen == []
    finally:
        await context.close()


@pytest.mark.parametrize("with_basemap", [False])
async def test_without_a_basemap_the_outline_map_stays_and_colours_crews(
    browser: Browser, live: Live, with_basemap: bool
) -> None:
    await two_crews(live)
    page, problems, requests = await signed_in_desk(browser, live)
    await expect(page.locator(".leaflet-control-attribution")).to_contain_text("approximate")
    free = page.locator('.crew-label[data-status="available"]')
    sent = page.locator('.crew-label[data-status="dispatched"]')
    await expect(free).to_have_text("Lochin-free")
    await expect(sent).to_have_text("Burgut-sent")
    colour = "el => getComputedStyle(el).borderLeftColor"
    assert await free.evaluate(colour) == "rgb(21, 128, 61)"
    assert await sent.evaluate(colour) == "rgb(180, 83, 9)"
    await expect(page.locator("#map .crew-status-legend")).to_contain_text("Crew status")
    assert await page.evaluate("() => document.getElementById('map').maplibreMap") is None
    assert requests.ranges == []

    # At night the outline (the city drawn light, as by day) turns dark as well.
    assert await median_luminance(page, "#map") > 0.5
    await page.get_by_role("button", name="Night scheme").click()
    await expect(page.locator("html")).to_have_attribute("data-scheme", "dark")
    assert await median_luminance(page, "#map") < 0.1
    assert problems.seen == []


LABEL_BOXES: Final = """() => [...document.querySelectorAll('#map .map-label:not(.landmark-label)')]
  .map((label) => {
    const box = label.getBoundingClientRect();
    return {
      text: label.textContent,
      shown: getComputedStyle(label).visibility !== 'hidden',
      box: [box.left, box.top, box.right, box.bottom],
    };
  })"""


CREW_SPREAD: Final = """() => {
  const tops = [...document.querySelectorAll('#map .crew-label')]
    .map((label) => label.closest('.leaflet-marker-icon').getBoundingClientRect().top);
  return Math.max(...tops) - Math.min(...tops);
}"""


def covering(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The pairs of shown labels whose boxes intersect."""
    shown = [label for label in labels if label["shown"]]
    return [
        (a["text"], b["text"])
        for i, a in enumerate(shown)
        for b in shown[i + 1 :]
        if a["box"][0] < b["box"][2]
        and b["box"][0] < a["box"][2]
        and a["box"][1] < b["box"][3]
        and b["box"][1] < a["box"][3]
    ]


async def labels_apart(page: Page, p1: Locator, count: int) -> None:
    """The P1 label is shown, no two shown labels cover one another, and each hidden label's
    marker stays: its dot, and its title with the label's words."""
    await expect(p1).to_be_visible()
    labels: list[dict[str, Any]] = await page.evaluate(LABEL_BOXES)
    assert len(labels) == count
    assert covering(labels) == []
    for label in labels:
        if not label["shown"]:
            marker = page.locator(".leaflet-marker-icon").filter(has_text=label["text"])
            await expect(marker).to_have_attribute("title", re.compile(f"^{label['text']}: "))
            await expect(marker.locator(".map-dot")).to_be_visible()


@pytest.mark.parametrize("with_basemap", [False])
async def test_the_outline_maps_labels_do_not_cover_one_another(
    browser: Browser, live: Live, with_basemap: bool
) -> None:
    """Crews a few metres from a P1 incident: its label is placed first and theirs, which
    would cover it, are hidden; a crew further off keeps its label until a zoom out brings it
    over the others."""
    dispatcher = await live.token(Role.DISPATCHER)
    incident_id = int((await post_alert(live, dispatcher, kind="panic"))["incident_id"])
    site = (await api_get(live, f"/api/v1/incidents/{incident_id}"))["site"]
    admin = await live.token(Role.ADMIN)
    near = [f"Berkut-{n}" for n in range(1, 5)]
    for n, name in enumerate(near):  # 2 to 8 m from the incident
        await create_crew(live, admin, name, site["lat"] + 0.00002 * (n + 1), site["lon"])
    await create_crew(live, admin, "Berkut-far", site["lat"] + FAR, site["lon"])
    page, problems, _ = await signed_in_desk(browser, live)
    labels = page.locator("#map .crew-label")
    await expect(labels).to_have_count(len(near) + 1)
    p1 = page.locator("#map .incident-label").filter(has_text=f"P1 #{incident_id}")
    far = labels.filter(has_text="Berkut-far")

    await expect(labels.filter(visible=False)).to_have_count(len(near))
    await expect(far).to_be_visible()
    await labels_apart(page, p1, len(near) + 2)

    spread = await page.evaluate(CREW_SPREAD)
    assert spread > 0
    await page.get_by_role("button", name="Zoom out").click()
    # Zoomed out (half the spread) and settled: Leaflet fires zoomend as its animation ends.
    await page.wait_for_function(
        f"() => !document.querySelector('#map .leaflet-zoom-anim')"
        f" && Math.abs(({CREW_SPREAD})() - {spread / 2}) <= 1",
        timeout=WAIT_MS,
    )
    # Hidden by the zoom itself, not by the next periodic redraw (seconds later).
    assert await far.is_hidden()
    await labels_apart(page, p1, len(near) + 2)
    assert problems.seen == []


def style_background(flavour: str) -> str:
    """The basemap style's background colour in its light or dark flavour (the vendored layers)."""
    path = STATIC_DIR / "vendor" / "protomaps-basemaps" / f"layers-{flavour}-en.json"
    layers = json.loads(path.read_text(encoding="utf-8"))
    colour: str = next(layer for layer in layers if layer["id"] == "background")["paint"][
        "background-color"
    ]
    return colour


async def drawn_background(page: Page) -> str:
    colour: str = await page.evaluate(
        "() => document.getElementById('map').maplibreMap.getPaintProperty("
        "'background', 'background-color')"
    )
    return colour


async def test_the_vector_map_follows_the_apps_night_toggle(browser: Browser, live: Live) -> None:
    await two_crews(live)
    page, problems, _ = await signed_in_desk(browser, live, color_scheme="light")
    await vector_map_loaded(page)
    drawn = page.locator("#map")
    await expect(drawn).to_have_attribute("data-basemap-scheme", "light")
    assert await drawn_background(page) == style_background("light")

    await page.get_by_role("button", name="Night scheme").click()
    await expect(drawn).to_have_attribute("data-basemap-scheme", "dark")
    assert await drawn_background(page) == style_background("dark")
    assert style_background("dark") != style_background("light")
    # Only the basemap changed: Posbon's own layers are still drawn over it.
    colours = await crew_colours(page)
    assert colours == {"Lochin-free": rgba(AVAILABLE), "Burgut-sent": rgba(DISPATCHED)}

    await page.get_by_role("button", name="Night scheme").click()
    await expect(drawn).to_have_attribute("data-basemap-scheme", "light")
    assert await drawn_background(page) == style_background("light")
    assert problems.seen == []


async def test_the_vector_map_sends_the_recommended_crew_from_an_incidents_popup(
    browser: Browser, live: Live
) -> None:
    admin = await live.token(Role.ADMIN)
    near = await create_crew(live, admin, "Lochin-near", CENTRE[0] + 0.002, CENTRE[1] - 0.004)
    dispatcher = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, dispatcher, kind="trouble", lat=CENTRE[0], lon=CENTRE[1])
    incident_id = int(alert["incident_id"])
    page, problems, _ = await signed_in_desk(browser, live)
    await vector_map_loaded(page)
    at: list[float] = await page.evaluate(
        """async (id) => {
          const map = document.getElementById('map').maplibreMap;
          const deadline = Date.now() + 20000;
          for (;;) {
            const found = map.queryRenderedFeatures({ layers: ['posbon-incidents'] })
              .filter((feature) => feature.properties.id === id);
            if (found.length > 0) {
              const point = map.project(found[0].geometry.coordinates);
              return [point.x, point.y];
            }
            if (Date.now() > deadline) return [];
            await new Promise((resolve) => map.once('idle', resolve));
          }
        }""",
        incident_id,
    )
    assert len(at) == 2, "the incident is not drawn"
    box = await page.locator("#map").bounding_box()
    assert box is not None
    await page.mouse.click(box["x"] + at[0], box["y"] + at[1])

    popup = page.locator(f'#map .map-popup[data-incident-id="{incident_id}"]')
    await expect(popup).to_contain_text(f"#{incident_id} Device trouble at Registan")
    await expect(page.locator("#incident-title")).to_contain_text(f"#{incident_id}")
    name = f"Send the recommended crew to incident #{incident_id}"
    await popup.get_by_role("button", name=name).click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text(f"Dispatch Lochin-near to incident #{incident_id}?")
    await dialog.get_by_role("button", name="Dispatch Lochin-near").click()
    await expect(popup.locator(".map-popup-status")).to_have_text("dispatched")
    await expect(popup.get_by_role("button", name=name)).to_have_count(0)
    assert (await api_get(live, f"/api/v1/incidents/{incident_id}"))["crew_id"] == near
    assert problems.seen == []
