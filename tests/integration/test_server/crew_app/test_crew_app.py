"""The crew tablet app in a real Chromium against the real server on a loopback port, with the
browser context taken offline and back: the app opens offline after one online visit, a
dispatch sent while offline is shown once after reconnecting, and taps and a report made
offline reach the server exactly once (checked through the API), across a reload too.

SQLite only: these tests are about the tablet; both engines are covered by the API's own tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from server.auth.schemas import Role
from sync import hlc
from sync.entities import IncidentReportFields
from sync.messages import SCHEMA_VERSION, PushRequest
from sync.mutations import IncidentReportUpsertV1
from sync.server_ids import MAX_NUMBER, crew_uuid, incident_uuid
from sync.wire import encode
from tests.eventually import eventually
from tests.integration.live import Live
from tests.integration.test_server.browser import PageProblems
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SCREENSHOT: Final = Path(os.environ.get("POSBON_CREW_SCREENSHOT", "/tmp/posbon-crew.png"))
TABLET: Final = {"width": 1280, "height": 800}
HERE: Final = {"latitude": 39.6600, "longitude": 66.9700}
REGISTAN: Final = {"lat": 39.6548, "lon": 66.9757}
DESTINATION_FILL: Final = "#ffd400"  # the destination marker's colour in static/js/map.js
WAIT_MS: Final = 15_000
CUT_BY_OFFLINE: Final = "net::ERR_INTERNET_DISCONNECTED"
SERVER_WAIT_S: Final = 10.0


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


class Tablet:
    """One browser context (its own IndexedDB and service worker) with the app open."""

    def __init__(self, context: BrowserContext, page: Page, live: Live) -> None:
        self.context = context
        self.page = page
        self.live = live
        self.problems = PageProblems(page)

    def unexpected(self) -> list[str]:
        """Console errors and uncaught exceptions, less the requests that the test's own offline
        switch cut (Chromium logs each one; the app retries them, which is what is tested)."""
        return [line for line in self.problems.seen if CUT_BY_OFFLINE not in line]

    async def sign_in(self, token: str) -> None:
        await self.page.goto(self.live.http + "/crew/")
        await self.page.get_by_label("Crew token").fill(token)
        await self.page.get_by_role("button", name="Sign in").click()
        await self.wait_link("live")
        await expect(self.html).to_have_attribute("data-sw", "ready", timeout=WAIT_MS)

    @property
    def html(self) -> Any:
        return self.page.locator("html")

    async def wait_link(self, state: str) -> None:
        await expect(self.html).to_have_attribute("data-link", state, timeout=WAIT_MS)

    async def offline(self) -> None:
        await self.context.set_offline(True)
        await self.wait_link("offline")

    async def online(self) -> None:
        await self.context.set_offline(False)
        await self.wait_link("live")

    async def tap(self, name: str) -> None:
        await self.page.locator("#call").get_by_role("button", name=name, exact=True).click()

    async def report_id(self, incident_id: int) -> uuid.UUID:
        found: str = await self.page.evaluate(
            """(incidentId) => new Promise((resolve) => {
              const open = indexedDB.open("posbon-crew");
              open.onsuccess = () => {
                const reports = open.result.transaction("reports").objectStore("reports");
                const read = reports.get(incidentId);
                read.onsuccess = () => resolve(read.result.report_id);
              };
            })""",
            incident_id,
        )
        return uuid.UUID(found)

    async def queued_positions(self) -> int:
        count: int = await self.page.evaluate(
            """() => new Promise((resolve) => {
              const open = indexedDB.open("posbon-crew");
              open.onsuccess = () => {
                const read = open.result.transaction("positions").objectStore("positions").count();
                read.onsuccess = () => resolve(read.result);
              };
            })"""
        )
        return count

    def outbox(self, state: str) -> Any:
        return self.page.locator(f'#outbox li[data-state="{state}"]')


@pytest.fixture
async def tablet(browser: Browser, live: Live) -> AsyncIterator[Tablet]:
    context = await browser.new_context(
        viewport=TABLET,  # type: ignore[arg-type]
        geolocation=HERE,  # type: ignore[arg-type]
        permissions=["geolocation"],
        locale="en-GB",
    )
    page = await context.new_page()
    try:
        yield Tablet(context, page, live)
    finally:
        await context.close()


class Setup:
    def __init__(self, live: Live, crew_id: int, crew_token: str, dispatcher: str) -> None:
        self.live = live
        self.crew_id = crew_id
        self.crew_token = crew_token
        self.dispatcher = dispatcher

    async def dispatch_new_call(self, **alert: Any) -> int:
        created = await post_alert(self.live, self.dispatcher, **alert)
        incident_id = int(created["incident_id"])
        await dispatch(self.live, self.dispatcher, incident_id, self.crew_id)
        return incident_id

    async def get(self, path: str, **params: str) -> Any:
        async with httpx.AsyncClient(
            base_url=self.live.http, headers=self.live.headers(self.dispatcher)
        ) as client:
            response = await client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response

    async def timeline(self, incident_id: int) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = (
            await self.get(f"/api/v1/incidents/{incident_id}/timeline")
        ).json()
        return entries

    async def eventually_entries(self, incident_id: int, kind: str) -> int:
        """How many `kind` entries the timeline has, once it has any (the tablet acks after
        showing the alert, so the receipt may land a moment after the alert is on screen)."""

        async def count() -> int:
            return len([e for e in await self.timeline(incident_id) if e["kind"] == kind])

        return await eventually(count, timeout_s=SERVER_WAIT_S)

    async def eventually_crew_at(self, crew_id: int, lat: float) -> dict[str, Any]:
        """The crew as the API shows it, once its latitude is `lat`."""

        async def crew() -> dict[str, Any]:
            found: dict[str, Any] = (await self.get(f"/api/v1/crews/{crew_id}")).json()
            assert found["lat"] == pytest.approx(lat)
            return found

        return await eventually(crew, timeout_s=SERVER_WAIT_S)

    async def push_narrative(self, report_id: uuid.UUID, text: str) -> None:
        """The dispatcher's own device sets a report's narrative, stamped now."""
        now_ms = int(time.time() * 1000)
        edit = IncidentReportUpsertV1(
            mutation_id=uuid.uuid4(),
            client_seq=1,
            hlc=hlc.pack(now_ms, 0),
            entity_id=report_id,
            fields=IncidentReportFields(narrative=text),
        )
        body = PushRequest(
            schema_version=SCHEMA_VERSION,
            device_id=uuid.uuid4(),
            device_wall_ms=now_ms,
            mutations=[edit],
        )
        async with httpx.AsyncClient(
            base_url=self.live.http, headers=self.live.headers(self.dispatcher)
        ) as client:
            response = await client.post("/sync/v1/push", content=encode(body))
        assert response.status_code == 200, response.text
        assert response.json()["results"][0]["status"] == "applied", response.text

    async def status_changes(self, incident_id: int) -> list[str]:
        entries = await self.timeline(incident_id)
        return [entry["to_status"] for entry in entries if entry["kind"] == "status"]

    async def synced_rows(self, incident_id: int) -> list[dict[str, Any]]:
        """The incident's sync scope as the dispatcher's own device sees it."""
        response = await self.get(
            "/sync/v1/snapshot",
            scope=f"incident:{incident_id}",
            device_id=str(uuid.uuid4()),
            schema_version="1",
        )
        pages = [json.loads(line) for line in response.text.splitlines() if line.strip()]
        return [row for page in pages for row in page["rows"]]


@pytest.fixture
async def setup(live: Live) -> Setup:
    admin = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, admin, "Burgut-1", REGISTAN["lat"], REGISTAN["lon"])
    return Setup(
        live, crew_id, await live.token(Role.CREW, crew_id), await live.token(Role.DISPATCHER)
    )


def _values(row: dict[str, Any]) -> dict[str, Any]:
    return {name: stamp["value"] for name, stamp in row["fields"].items()}


async def test_a_wrong_token_is_refused_and_nothing_opens(tablet: Tablet, setup: Setup) -> None:
    await tablet.page.goto(tablet.live.http + "/crew/")
    await expect(tablet.page.get_by_label("Crew token")).to_be_focused()
    await tablet.page.get_by_label("Crew token").fill("pb_forged")
    await tablet.page.get_by_role("button", name="Sign in").click()
    await expect(tablet.page.locator("#signin-error")).to_contain_text("unknown or revoked")
    await expect(tablet.page.locator("#workspace")).to_be_hidden()
    # A dispatcher's token reads the map but may not use the crew socket.
    await tablet.page.get_by_label("Crew token").fill(setup.dispatcher)
    await tablet.page.get_by_role("button", name="Sign in").click()
    await expect(tablet.page.locator("#signin-error")).to_contain_text("may not use this socket")
    await expect(tablet.page.locator("#workspace")).to_be_hidden()


async def test_the_app_opens_offline_after_one_online_visit(tablet: Tablet, setup: Setup) -> None:
    await tablet.sign_in(setup.crew_token)
    await tablet.offline()
    response = await tablet.page.reload()
    assert response is not None
    assert response.from_service_worker
    await tablet.wait_link("offline")
    await expect(tablet.page.locator("#workspace")).to_be_visible()
    await expect(tablet.page.locator("#no-call")).to_be_visible()
    # The outline map came from the tablet's own copy.
    await expect(tablet.page.locator("#map .leaflet-overlay-pane path").first).to_be_attached()
    await tablet.online()
    assert tablet.unexpected() == []


async def test_a_dispatch_sent_while_offline_is_shown_once_after_reconnecting(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    await tablet.offline()
    incident_id = await setup.dispatch_new_call(address="Registan")
    alert = tablet.page.get_by_role("alertdialog")
    await expect(alert).to_be_hidden()

    await tablet.online()
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text("Registan")
    await expect(alert).to_contain_text("km")
    await expect(tablet.html).to_have_attribute("data-alerts-shown", "1")
    await expect(tablet.page.locator("#sound")).to_have_attribute("data-rung", "1")
    assert await setup.eventually_entries(incident_id, "delivered") == 1

    await tablet.offline()
    await tablet.online()
    await tablet.page.reload()
    await tablet.wait_link("live")
    await expect(tablet.page.locator("#call-address")).to_have_text("Registan")
    await expect(alert).to_be_hidden()
    await expect(tablet.html).to_have_attribute("data-alerts-shown", "0")
    assert tablet.unexpected() == []


async def test_taps_and_a_report_made_offline_reach_the_server_once(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    incident_id = await setup.dispatch_new_call()
    alert = tablet.page.get_by_role("alertdialog")
    await expect(alert).to_be_visible()
    navigation = tablet.page.locator("#navigation")
    await expect(navigation.get_by_role("link", name="Yandex Navigator")).to_have_attribute(
        "href",
        f"yandexnavi://build_route_on_map?lat_to={REGISTAN['lat']:.6f}"
        f"&lon_to={REGISTAN['lon']:.6f}",
    )
    await expect(navigation.get_by_role("link", name="Map app")).to_have_attribute(
        "href",
        f"geo:{REGISTAN['lat']:.6f},{REGISTAN['lon']:.6f}?q={REGISTAN['lat']:.6f},"
        f"{REGISTAN['lon']:.6f}(Registan)",
    )

    await tablet.offline()
    await alert.get_by_role("button", name="Acknowledge").click()
    await tablet.tap("En route")
    await tablet.tap("On scene")
    page = tablet.page
    await page.get_by_label("What happened").fill("Two men forced the shop door; one held.")
    await page.get_by_label("Full name").fill("Aliyev Botir")
    await page.get_by_label("Birth year").fill("1990")
    await page.get_by_role("button", name="Add person").click()
    await page.get_by_label("Grounds").fill("Caught at the door")
    await page.get_by_label("Handed to").fill("District station 3")
    await page.get_by_role("button", name="Add detention").click()
    await page.locator("#report").get_by_label("Outcome").select_option("persons_detained")
    await page.get_by_role("button", name="Submit report").click()
    await expect(tablet.html).to_have_attribute("data-pending", "7")
    await expect(tablet.outbox("waiting")).to_have_count(3)
    await expect(page.locator("#call-status")).to_contain_text("on scene (waiting to send)")

    await page.reload()  # offline: from the service worker, the queue from IndexedDB
    await tablet.wait_link("offline")
    await expect(tablet.html).to_have_attribute("data-pending", "7")
    await expect(tablet.outbox("waiting")).to_have_count(3)
    assert await setup.status_changes(incident_id) == []

    await tablet.online()
    await expect(tablet.html).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    await expect(tablet.outbox("sent")).to_have_count(3)
    await expect(tablet.outbox("applied")).to_have_count(4)
    await expect(page.locator("#call-status")).to_have_text("on scene")

    await tablet.offline()  # reconnect again: nothing is sent twice
    await tablet.online()
    await page.reload()
    await tablet.wait_link("live")
    await expect(tablet.html).to_have_attribute("data-pending", "0")
    assert await setup.status_changes(incident_id) == [
        "acknowledged",
        "en_route",
        "on_scene",
    ]
    rows = await setup.synced_rows(incident_id)
    kinds = sorted(row["kind"] for row in rows)
    assert kinds == ["detention", "incident", "incident_report", "report_person"]
    by_kind = {row["kind"]: _values(row) for row in rows}
    assert by_kind["incident"]["status"] == "on_scene"  # the server's own write of it
    report = by_kind["incident_report"]
    assert report["narrative"] == "Two men forced the shop door; one held."
    assert report["outcome"] == "persons_detained"
    assert report["status"] == "submitted"
    assert by_kind["report_person"]["full_name"] == "Aliyev Botir"
    assert by_kind["report_person"]["birth_year"] == 1990
    assert by_kind["detention"]["handed_to"] == "District station 3"
    assert tablet.unexpected() == []


async def test_resolving_offline_sends_the_outcome_once(tablet: Tablet, setup: Setup) -> None:
    await tablet.sign_in(setup.crew_token)
    incident_id = await setup.dispatch_new_call()
    await tablet.page.get_by_role("alertdialog").get_by_role("button", name="Acknowledge").click()
    await expect(tablet.outbox("sent")).to_have_count(1)
    await tablet.offline()
    await tablet.tap("On scene")
    await tablet.tap("Resolve")
    await tablet.page.locator("#resolve-outcome").select_option("crime_prevented")
    await tablet.page.get_by_role("button", name="Resolve the call").click()
    await expect(tablet.outbox("waiting")).to_have_count(2)
    await tablet.online()
    await expect(tablet.outbox("sent")).to_have_count(3)
    incident = (await setup.get(f"/api/v1/incidents/{incident_id}")).json()
    assert incident["status"] == "resolved"
    assert incident["outcome"] == "crime_prevented"
    assert await setup.status_changes(incident_id) == ["acknowledged", "on_scene", "resolved"]
    assert tablet.unexpected() == []


async def test_a_tap_the_server_refuses_stays_visible(tablet: Tablet, setup: Setup) -> None:
    await tablet.sign_in(setup.crew_token)
    incident_id = await setup.dispatch_new_call()
    await tablet.page.get_by_role("alertdialog").get_by_role("button", name="Acknowledge").click()
    await expect(tablet.outbox("sent")).to_have_count(1)
    await tablet.offline()
    await tablet.tap("En route")
    async with httpx.AsyncClient(
        base_url=setup.live.http, headers=setup.live.headers(setup.dispatcher)
    ) as client:
        cancelled = await client.post(
            f"/api/v1/incidents/{incident_id}/status",
            json={"status": "cancelled", "outcome": "other"},
        )
    assert cancelled.status_code == 200, cancelled.text
    await tablet.online()
    refused = tablet.outbox("refused")
    await expect(refused).to_have_count(1)
    await expect(refused).to_contain_text("cannot become en_route")
    await expect(tablet.page.locator("#call-status")).to_have_text("cancelled")
    assert [line for line in tablet.unexpected() if "422" not in line] == []


async def test_the_language_follows_the_browser_and_can_be_switched(
    browser: Browser, live: Live
) -> None:
    context = await browser.new_context(locale="ru-RU")
    page = await context.new_page()
    await page.goto(live.http + "/crew/")
    await expect(page.get_by_label("Токен экипажа")).to_be_visible()
    await page.get_by_label("Язык").select_option("uz-Latn")
    await expect(page.get_by_label("Ekipaj tokeni")).to_be_visible()
    assert await page.locator("html").get_attribute("lang") == "uz-Latn"
    await page.reload()
    await expect(page.get_by_label("Ekipaj tokeni")).to_be_visible()
    await context.close()


async def test_an_accessibility_scan_finds_nothing_serious(tablet: Tablet, setup: Setup) -> None:
    axe = pytest.importorskip("axe_playwright_python.async_playwright")
    await tablet.sign_in(setup.crew_token)
    await setup.dispatch_new_call()
    alert = tablet.page.get_by_role("alertdialog")
    await expect(alert).to_be_visible()
    for state in ("alert", "call"):
        if state == "call":
            await alert.get_by_role("button", name="Acknowledge").click()
            await expect(tablet.outbox("sent")).to_have_count(1)
        results = await axe.Axe().run(tablet.page)
        serious = [
            (violation["id"], [node["target"] for node in violation["nodes"]])
            for violation in results.response["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]
        assert serious == [], state
        await tablet.page.screenshot(path=SCREENSHOT.with_name(f"{SCREENSHOT.stem}-{state}.png"))
    assert tablet.unexpected() == []


async def test_positions_taken_offline_reach_the_server_after_reconnecting(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    crew = await setup.eventually_crew_at(setup.crew_id, HERE["latitude"])
    assert crew["lon"] == pytest.approx(HERE["longitude"])
    await tablet.offline()
    moved = {"latitude": 39.6700, "longitude": 66.9450}
    await tablet.context.set_geolocation(moved)  # type: ignore[arg-type]
    assert await eventually(tablet.queued_positions, timeout_s=SERVER_WAIT_S) > 0
    await tablet.online()
    crew = await setup.eventually_crew_at(setup.crew_id, moved["latitude"])
    assert crew["lon"] == pytest.approx(moved["longitude"])
    assert tablet.unexpected() == []


async def test_the_tablet_numbers_server_rows_and_stamps_like_the_sync_package(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    computed = await tablet.page.evaluate(
        """async () => {
          const ids = await import("/crew/static/js/ids.js");
          const last = (1_700_000_000_000n << 16n) | 7n;
          return {
            incident: ids.serverUuid("incident", 42),
            crew: ids.serverUuid("crew", 2n ** 62n - 1n),
            tickBehind: ids.tick(last, 1_600_000_000_000).toString(),
            tickAhead: ids.tick(last, 1_800_000_000_000).toString(),
            receive: ids.receive(last, (1_700_000_000_000n << 16n) | 9n, 1).toString(),
            roundTrip: ids.toJson(ids.parseJson('{"hlc": 111411310551449600007}')),
          };
        }"""
    )
    last = hlc.pack(1_700_000_000_000, 7)
    assert computed == {
        "incident": str(incident_uuid(42)),
        "crew": str(crew_uuid(MAX_NUMBER)),
        "tickBehind": str(hlc.tick(last, 1_600_000_000_000)),
        "tickAhead": str(hlc.tick(last, 1_800_000_000_000)),
        "receive": str(hlc.receive(last, hlc.pack(1_700_000_000_000, 9), 1)),
        "roundTrip": '{"hlc":111411310551449600007}',
    }


async def test_a_report_edit_that_loses_to_a_later_one_is_shown_as_a_conflict(
    tablet: Tablet, setup: Setup
) -> None:
    await tablet.sign_in(setup.crew_token)
    incident_id = await setup.dispatch_new_call()
    await tablet.page.get_by_role("alertdialog").get_by_role("button", name="Acknowledge").click()
    narrative = tablet.page.get_by_label("What happened")
    await narrative.fill("Door forced; nobody inside.")
    await tablet.page.get_by_role("button", name="Save draft").click()
    await expect(tablet.outbox("applied")).to_have_count(1)

    await tablet.offline()
    await narrative.fill("Door forced; one man inside, held.")
    await tablet.page.get_by_role("button", name="Save draft").click()
    # The click returns before the app has stamped and queued the edit: wait for it, and let
    # the clock move on, so the station's edit is the later one.
    await expect(tablet.outbox("pending")).to_have_count(1)
    await asyncio.sleep(0.02)
    report_id = await tablet.report_id(incident_id)
    station = "Door forced; one man held (per the station)."
    await setup.push_narrative(report_id, station)
    await tablet.online()

    conflict = tablet.outbox("conflict")
    await expect(conflict).to_have_count(1)
    await expect(conflict).to_contain_text("Changed on another device")
    await expect(tablet.page.locator("#report-saved")).to_contain_text("per the station")
    conflicts = (await setup.get("/api/v1/sync/conflicts")).json()
    lost = {c["losing_value"]: c["winning_value"] for c in conflicts if c["field"] == "narrative"}
    assert lost["Door forced; one man inside, held."] == station
    assert tablet.unexpected() == []


async def test_a_site_name_written_as_html_shows_as_text_on_the_map(
    tablet: Tablet, setup: Setup
) -> None:
    hostile = "<img src=x onerror=\"document.documentElement.dataset.xss='ran'\">"
    async with httpx.AsyncClient(
        base_url=setup.live.http, headers=setup.live.headers(await setup.live.token(Role.ADMIN))
    ) as client:
        made = await client.post("/api/v1/sites", json={"name": hostile, **REGISTAN})
    assert made.status_code == 201, made.text
    await tablet.sign_in(setup.crew_token)
    await setup.dispatch_new_call(site_id=made.json()["id"])
    await tablet.page.get_by_role("alertdialog").get_by_role("button", name="Acknowledge").click()

    await tablet.page.locator(f'#map path[fill="{DESTINATION_FILL}"]').hover()
    tooltips = tablet.page.locator("#map .leaflet-tooltip")
    await expect(tooltips.last).to_have_text(hostile)
    await expect(tooltips.locator("img")).to_have_count(0)
    assert await tablet.html.get_attribute("data-xss") is None
