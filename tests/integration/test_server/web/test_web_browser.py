"""The dispatcher page in a real Chromium against the real server on a loopback port: signing
in, the queue, announcements, the incident view's actions, the crew board, the map, keyboard use
and an accessibility scan. Realtime recovery is in test_web_realtime.py.

SQLite only: these tests are about the page; both engines are covered by the API's own tests.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import time
from pathlib import Path
from typing import Final

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, Route, expect

from server.auth.schemas import Role
from server.db import Database
from server.demo import seed
from server.settings import Settings, with_overrides
from tests.integration.live import Live, serve
from tests.integration.test_server import stats_seed
from tests.integration.test_server.browser import (
    DEMO_CALLS,
    api_get,
    demo_with_calls,
    open_page,
    row_ids,
    signed_in,
    wait_live,
)
from tests.integration.test_server.helpers import (
    create_crew,
    dispatch,
    open_socket,
    post_alert,
    receive,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# The page as this test sees it, kept out of the tree (docs/ comes from `make screenshots`).
SCREENSHOT: Final = Path(os.environ.get("POSBON_SCREENSHOT", "/tmp/posbon-web.png"))
NEW_ALERT_BUDGET_MS: Final = 1000
REGISTAN: Final = {"lat": 39.6548, "lon": 66.9757}
ONE_PIXEL_PNG: Final = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhf"
    "DwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def test_the_page_loads_without_a_token_and_asks_for_one(
    browser: Browser, live: Live
) -> None:
    page, problems = await open_page(browser, live)
    # A person signs in with a username first; the token field stays on the same form.
    await expect(page.get_by_label("Username")).to_be_focused()
    await expect(page.get_by_label("Dispatcher token")).to_be_visible()
    await expect(page.locator("#console")).to_be_hidden()
    await page.get_by_label("Dispatcher token").fill("pb_forged")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#signin-error")).to_contain_text("unknown or revoked")
    crew_token = await live.token(Role.CREW, await _crew(live, "Crew-only", REGISTAN))
    await page.get_by_label("Dispatcher token").fill(crew_token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#signin-error")).to_contain_text("role")
    await expect(page.locator("#console")).to_be_hidden()
    assert [line for line in problems.seen if "401" not in line and "403" not in line] == []


async def test_a_new_alert_appears_within_a_second_and_a_p1_is_announced(
    browser: Browser, live: Live
) -> None:
    page, problems = await signed_in(browser, live)
    dispatcher = await live.token(Role.DISPATCHER)
    started = time.monotonic()
    alert = await post_alert(live, dispatcher, kind="panic")
    row = page.locator(f'#pending tbody tr[data-incident-id="{alert["incident_id"]}"]')
    await expect(row).to_be_visible(timeout=NEW_ALERT_BUDGET_MS)
    assert time.monotonic() - started < NEW_ALERT_BUDGET_MS / 1000
    await expect(row.locator("td").first).to_have_text("P1")
    await expect(row).to_contain_text("waiting")
    spoken = page.locator("#announce")
    assert await spoken.get_attribute("aria-live") == "assertive"
    await expect(spoken).to_contain_text("New P1 alert: Panic at Registan")
    banner = page.get_by_role("region", name="Needs you now")
    await expect(banner.locator(".p1-entry")).to_contain_text(
        [f"P1 #{alert['incident_id']} Panic at Registan: waiting 0:0"]
    )
    sound = page.locator("#sound-toggle")
    await expect(sound).not_to_have_attribute("data-tones-played", "0")
    await expect(sound).to_have_attribute("data-ringing", "true")

    minor = await post_alert(live, dispatcher, kind="trouble", address="Siab bazaar")
    minor_row = page.locator(f'#pending tbody tr[data-incident-id="{minor["incident_id"]}"]')
    await expect(minor_row.locator("td").first).to_have_text("P3")
    assert await row_ids(page, "pending") == [alert["incident_id"], minor["incident_id"]]
    await expect(minor_row).to_contain_text("waiting")
    await expect(banner.locator(".p1-entry")).to_have_count(1)
    await expect(banner).not_to_contain_text("trouble")
    assert problems == []


async def test_a_pending_incident_past_its_limit_is_marked_late_in_words(
    browser: Browser, live: Live
) -> None:
    dispatcher = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, dispatcher, kind="panic")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=90)
    async with live.state.db.write():
        await live.state.db.fetch(
            "UPDATE incidents SET created_at = {} WHERE id = {}", old, alert["incident_id"]
        )
    page, problems = await signed_in(browser, live)
    row = page.locator(f'#pending tbody tr[data-incident-id="{alert["incident_id"]}"]')
    await expect(row).to_contain_class("aging-late")
    await expect(row.locator("td.aging")).to_contain_text("LATE 1:3")
    await expect(row.locator("td.aging")).to_contain_text("(limit 1:00)")
    assert problems == []


async def test_dispatch_from_the_page_puts_it_on_the_timeline(browser: Browser, live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    near = await create_crew(live, admin, "Berkut-near", 39.6550, 66.9760)
    await create_crew(live, admin, "Berkut-far", 39.7000, 66.9000)
    page, problems = await signed_in(browser, live)
    alert = await post_alert(live, await live.token(Role.DISPATCHER))
    incident_id = alert["incident_id"]
    await page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open').click()
    await expect(page.locator("#incident-title")).to_contain_text(f"Incident #{incident_id}")
    await expect(page.locator("#dispatch-crew")).to_have_value(str(near))
    await expect(page.locator("#dispatch-reason")).to_contain_text("Recommended: Berkut-near")
    await expect(page.locator("#dispatch-reason")).to_contain_text("km, ETA")
    await expect(page.locator("#dispatch-reason")).to_contain_text("(estimate)")
    await expect(page.locator("path.recommended-route")).to_have_count(1)

    await page.get_by_role("button", name="Dispatch", exact=True).click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text(f"Dispatch Berkut-near to incident #{incident_id}?")
    await dialog.get_by_role("button", name="Dispatch Berkut-near").click()

    entry = page.locator('#timeline li[data-kind="dispatched"]')
    await expect(entry).to_contain_text("Dispatched Berkut-near")
    await expect(entry).to_contain_text("new → dispatched")
    await expect(page.locator("#notice")).to_contain_text("Berkut-near dispatched")
    await expect(page.locator(f'#active tr[data-incident-id="{incident_id}"]')).to_contain_text(
        "Berkut-near"
    )
    timeline = await api_get(live, f"/api/v1/incidents/{incident_id}/timeline")
    dispatched = [item for item in timeline if item["kind"] == "dispatched"]
    assert len(dispatched) == 1
    assert dispatched[0]["data"]["crew_id"] == near
    assert dispatched[0]["actor"].startswith("dispatcher:")
    assert problems == []


async def test_a_tablet_receipt_and_acknowledgement_show_on_the_timeline(
    browser: Browser, live: Live
) -> None:
    crew = await create_crew(live, await live.token(Role.ADMIN), "Berkut-9", 39.6550, 66.9760)
    tablet, _ = await open_socket(live, "/ws/crew", await live.token(Role.CREW, crew))
    page, problems = await signed_in(browser, live)
    alert = await post_alert(live, await live.token(Role.DISPATCHER))
    incident_id = alert["incident_id"]
    await page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open').click()
    await expect(page.locator("#dispatch-crew")).to_have_value(str(crew))
    await page.get_by_role("button", name="Dispatch", exact=True).click()
    await page.get_by_role("dialog").get_by_role("button", name="Dispatch Berkut-9").click()

    (sent,) = await receive(tablet, 1)
    assert sent["type"] == "dispatch"
    await tablet.send(json.dumps({"type": "ack", "seq": sent["seq"]}))
    acknowledge = {"incident_id": incident_id, "status": "acknowledged", "op_id": "tablet-op-0001"}
    await tablet.send(json.dumps({"type": "status", **acknowledge}))
    await expect(page.locator('#timeline li[data-kind="delivered"]')).to_contain_text(
        "Delivered to the tablet"
    )
    await expect(page.locator('#timeline li[data-kind="status"]')).to_contain_text(
        "dispatched → acknowledged"
    )
    await expect(page.locator('#timeline li[data-kind="status"]')).to_contain_text("(crew)")
    crew_row = page.locator(f'#crew-board tr[data-crew-id="{crew}"]')
    await expect(crew_row).not_to_contain_text("awaiting")
    await tablet.close()
    assert problems == []


async def test_a_cancelled_confirmation_changes_nothing(browser: Browser, live: Live) -> None:
    page, problems = await signed_in(browser, live)
    alert = await post_alert(live, await live.token(Role.DISPATCHER))
    incident_id = alert["incident_id"]
    await page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open').click()
    await page.get_by_role("button", name="Mark false alarm").click()
    await expect(page.get_by_role("dialog")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_be_hidden()
    incident = await api_get(live, f"/api/v1/incidents/{incident_id}")
    assert incident["status"] == "new"

    await page.get_by_role("button", name="Mark false alarm").click()
    await page.get_by_role("dialog").get_by_role("button", name="Mark false alarm").click()
    await expect(page.locator(f'#closed tr[data-incident-id="{incident_id}"]')).to_contain_text(
        "false alarm"
    )
    await expect(page.locator('#timeline li[data-kind="status"]')).to_contain_text(
        "new → false alarm"
    )
    assert problems == []


async def test_status_change_and_resolution_from_the_page_are_recorded(
    browser: Browser, live: Live
) -> None:
    admin = await live.token(Role.ADMIN)
    crew = await create_crew(live, admin, "Berkut-7", 39.6550, 66.9760)
    dispatcher = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, dispatcher)
    incident_id = alert["incident_id"]
    await dispatch(live, dispatcher, incident_id, crew)
    page, problems = await signed_in(browser, live)
    await page.locator(f'#active tr[data-incident-id="{incident_id}"] button.open').click()

    # The moves and outcomes the page offers are the server's table, false alarm included.
    served = await api_get(live, "/api/v1/incidents/vocabulary")
    own_buttons = {"dispatched", "resolved", "cancelled", "false_alarm"}
    moves = [move for move in served["transitions"]["dispatched"] if move not in own_buttons]
    assert "false_alarm" in served["outcomes"]
    for select, values in (("New status", moves), ("Outcome", ["", *served["outcomes"]])):
        options = page.get_by_label(select).locator("option")
        await expect(options).to_have_count(len(values))
        assert await options.evaluate_all("nodes => nodes.map((node) => node.value)") == values

    await page.get_by_label("New status").select_option("en_route")
    await page.get_by_role("button", name="Change status").click()
    await page.get_by_role("dialog").get_by_role("button", name="Set en route").click()
    await expect(page.locator('#timeline li[data-kind="status"]')).to_contain_text(
        "dispatched → en route"
    )

    await page.get_by_label("Outcome").select_option("persons_detained")
    await page.get_by_label("Persons detained").fill("2")
    await page.get_by_label("Notes", exact=True).fill("two detained at the gate")
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.get_by_role("dialog")).to_contain_text('outcome "persons detained"')
    await page.get_by_role("dialog").get_by_role("button", name="Resolve").click()
    await expect(page.locator(f'#closed tr[data-incident-id="{incident_id}"]')).to_contain_text(
        "resolved: persons detained"
    )
    await expect(page.locator('#timeline li[data-kind="status"]').last).to_contain_text(
        "en route → resolved, outcome: persons detained, 2 detained"
    )
    await expect(page.get_by_role("button", name="Mark false alarm")).to_be_hidden()
    incident = await api_get(live, f"/api/v1/incidents/{incident_id}")
    assert (incident["status"], incident["outcome"], incident["persons_detained"]) == (
        "resolved",
        "persons_detained",
        2,
    )
    assert problems == []


async def test_the_whole_flow_works_with_the_keyboard_alone(browser: Browser, live: Live) -> None:
    page, problems = await open_page(browser, live)
    for _ in ("password", "code", "token"):  # the form starts at the username
        await page.keyboard.press("Tab")
    await expect(page.get_by_label("Dispatcher token")).to_be_focused()
    await page.keyboard.type(await live.token(Role.DISPATCHER))
    await page.keyboard.press("Enter")
    await wait_live(page)
    alert = await post_alert(live, await live.token(Role.DISPATCHER))
    incident_id = alert["incident_id"]
    open_button = page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open')
    await expect(open_button).to_be_visible()

    await _tab_until(page, open_button)
    await page.keyboard.press("Enter")
    await expect(page.locator("#incident-title")).to_be_focused()
    await expect(page.locator("#incident-title")).to_contain_text(f"#{incident_id}")

    note = page.get_by_label("Note", exact=True)
    await _tab_until(page, note)
    await page.keyboard.type("Caller says two people at the gate")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Add note")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("dialog")).to_be_visible()
    await page.keyboard.press("Enter")
    entry = page.locator('#timeline li[data-kind="note"]')
    await expect(entry).to_contain_text("Caller says two people at the gate")
    await expect(page.get_by_role("dialog")).to_be_hidden()
    assert problems.seen == []


async def test_the_crew_board_greys_stale_positions_and_marks_an_unacknowledged_dispatch(
    browser: Browser, settings: Settings, db: Database
) -> None:
    quick = with_overrides(settings, dispatch_resend_s=1.0, dispatch_escalate_s=2.0)
    async with serve(quick, db) as live:
        admin = await live.token(Role.ADMIN)
        fresh = await create_crew(live, admin, "Berkut-fresh", 39.6550, 66.9760)
        stale = await create_crew(live, admin, "Berkut-stale", 39.6600, 66.9700)
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        async with db.write():
            await db.fetch("UPDATE crews SET position_at = {} WHERE id = {}", long_ago, stale)
        page, problems = await signed_in(browser, live)
        stale_row = page.locator(f'#crew-board tr[data-crew-id="{stale}"]')
        await expect(stale_row).to_contain_class("crew-stale")
        await expect(stale_row).to_contain_text("stale: 10:0")
        await expect(page.locator(".crew-label.stale")).to_have_text("Berkut-stale (stale)")

        dispatcher = await live.token(Role.DISPATCHER)
        alert = await post_alert(live, dispatcher)
        await dispatch(live, dispatcher, alert["incident_id"], fresh)
        fresh_row = page.locator(f'#crew-board tr[data-crew-id="{fresh}"]')
        await expect(fresh_row).to_contain_text("dispatched")
        await expect(fresh_row).to_contain_text(f"#{alert['incident_id']}")
        await expect(fresh_row.locator(".marker-unacked")).to_contain_text("NOT ACKNOWLEDGED")
        await expect(
            page.locator(f'#active tr[data-incident-id="{alert["incident_id"]}"]')
        ).to_contain_text("not acknowledged")
        await expect(fresh_row.locator(".marker-unacked")).to_contain_text("(escalated)")
        await expect(page.locator("#p1-banner")).to_contain_text(
            f"Escalation: Berkut-fresh has not acknowledged incident #{alert['incident_id']}"
        )
        assert problems == []


async def test_the_map_shows_a_camera_site_by_shape_and_name(browser: Browser, live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        site = await client.post(
            "/api/v1/sites", json={"name": "Court", "address": "Registan", **REGISTAN}
        )
        camera = {"name": "Court gate", "site_id": site.json()["id"], "kind": "face"}
        assert (await client.post("/api/v1/cameras", json=camera)).status_code == 201
        plain = {"name": "Bank", "address": "Amir Temur", "lat": 39.66, "lon": 66.97}
        assert (await client.post("/api/v1/sites", json=plain)).status_code == 201
    page, problems = await signed_in(browser, live)
    marker = page.locator(".camera-marker")
    await expect(marker).to_have_count(1)
    await marker.hover()
    await expect(page.locator(".leaflet-tooltip")).to_contain_text(
        "Court: camera Court gate (face)"
    )
    assert problems == []


async def test_a_recognition_alert_shows_its_kind_source_and_snapshot(
    browser: Browser, live: Live
) -> None:
    page, problems = await signed_in(browser, live)
    snapshot_requests: list[str] = []

    async def snapshot(route: Route) -> None:
        snapshot_requests.append(route.request.headers.get("authorization", ""))
        await route.fulfill(body=base64.b64decode(ONE_PIXEL_PNG), content_type="image/png")

    await page.route("**/api/v1/test-snapshots/7.png", snapshot)
    details = {
        "snapshot_url": "/api/v1/test-snapshots/7.png",
        "full_frame_url": "https://camera.example/frames/7.jpg",
        "plate": "30A123BC",
        "score": 0.91,
    }
    camera = await live.token(Role.CAMERA)
    alert = await post_alert(live, camera, kind="plate_wanted", details=details)
    await page.locator(
        f'#pending tr[data-incident-id="{alert["incident_id"]}"] button.open'
    ).click()
    item = page.locator(f'#incident-alerts li[data-alert-id="{alert["id"]}"]')
    await expect(item).to_contain_text("P2 Wanted plate from camera")
    await expect(item).to_contain_text("30A123BC")
    await expect(item.get_by_role("link", name="Open snapshot")).to_have_attribute(
        "href", "https://camera.example/frames/7.jpg"
    )
    await item.get_by_role("button", name="Show snapshot").click()
    await expect(item.get_by_role("img", name=f"Snapshot for alert #{alert['id']}")).to_be_visible()
    assert snapshot_requests == [f"Bearer {await _page_token(page)}"]
    assert problems == []


async def test_screenshot_of_the_demo_data_shows_every_panel(browser: Browser, live: Live) -> None:
    raised = await demo_with_calls(live, (*DEMO_CALLS, ("test", "Kindergarten No. 26")))
    crews = await api_get(live, "/api/v1/crews")
    page, problems = await signed_in(browser, live)
    await page.locator("#pending tbody tr button.open").first.click()
    await expect(page.locator("#dispatch-reason")).to_contain_text("Recommended")
    await expect(page.locator("path.recommended-route")).to_have_count(1)
    await expect(page.locator("#crew-board tbody tr")).to_have_count(len(crews))
    await expect(page.locator(".leaflet-basemap-pane canvas")).to_have_count(1)
    await expect(page.locator(".incident-label")).to_have_count(len(raised))
    await expect(page.locator(".leaflet-control-attribution")).to_contain_text("approximate")
    await page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
    assert problems == []


async def _page_token(page: Page) -> str:
    token = await page.evaluate("sessionStorage.getItem('posbon.token')")
    assert isinstance(token, str)
    return token


async def _tab_until(page: Page, target: Locator, most: int = 40) -> None:
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


async def _crew(live: Live, name: str, at: dict[str, float]) -> int:
    return await create_crew(live, await live.token(Role.ADMIN), name, at["lat"], at["lon"])


async def test_an_accessibility_scan_finds_nothing_serious(browser: Browser, live: Live) -> None:
    axe = pytest.importorskip("axe_playwright_python.async_playwright")
    await seed.seed(live.state.db)
    dispatcher = await live.token(Role.DISPATCHER)
    for kind in ("panic", "intrusion"):
        await post_alert(live, dispatcher, kind=kind)
    page, problems = await signed_in(browser, live)
    await page.locator("#pending tbody tr button.open").first.click()
    await expect(page.locator("#dispatch-reason")).to_contain_text("Recommended")
    await page.get_by_role("button", name="Statistics", exact=True).click()
    await expect(page.locator("#stats")).to_have_attribute("data-state", "loaded")
    results = await axe.Axe().run(page)
    serious = [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []
    assert problems == []


async def _seed_statistics(db: Database, now: dt.datetime) -> None:
    """Three panics in Registon two hours ago, a fire in Siab today, a panic in Siab days ago."""
    today, days_ago = now - dt.timedelta(hours=2), now - dt.timedelta(days=3)
    async with db.write():
        registon = await stats_seed.site(db, "School No. 1", "Registon", days_ago)
        siab = await stats_seed.site(db, "Siab bazaar", "Siab", days_ago)
        for outcome, dispatched_s, acknowledged_s, on_scene_s in (
            ("crime_prevented", 20, 30, 300),
            ("persons_detained", 40, 50, 400),
            ("false_alarm", 60, 110, 900),
        ):
            incident_id = await stats_seed.incident(db, "panic", registon, outcome, today)
            for status, after_s in (
                ("dispatched", dispatched_s),
                ("acknowledged", acknowledged_s),
                ("on_scene", on_scene_s),
            ):
                await stats_seed.reached(
                    db, incident_id, status, today + dt.timedelta(seconds=after_s)
                )
        await stats_seed.incident(db, "fire", siab, "crime_solved", now - dt.timedelta(hours=3))
        old = await stats_seed.incident(db, "panic", siab, None, days_ago)
        await stats_seed.reached(db, old, "dispatched", days_ago + dt.timedelta(seconds=100))


async def _table_text(page: Page, table_id: str) -> list[list[str]]:
    rows = page.locator(f"#{table_id} tbody tr, #{table_id} tfoot tr")
    texts: list[list[str]] = await rows.evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))"
    )
    return texts


async def _downloaded_csv(page: Page) -> tuple[str, list[list[str]]]:
    async with page.expect_download() as started:
        await page.get_by_role("button", name="Download CSV").click()
    download = await started.value
    path = await download.path()
    return download.suggested_filename, list(csv.reader(io.StringIO(path.read_text("utf-8"))))


async def test_the_statistics_panel_shows_the_figures_and_downloads_them_as_csv(
    browser: Browser, live: Live
) -> None:
    await _seed_statistics(live.state.db, dt.datetime.now(dt.UTC))
    page, problems = await signed_in(browser, live)
    toggle = page.get_by_role("button", name="Statistics", exact=True)
    await toggle.focus()
    await page.keyboard.press("Enter")
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(page.locator("#stats-title")).to_be_focused()
    panel = page.locator("#stats")
    await expect(panel).to_have_attribute("data-state", "loaded")
    await expect(page.get_by_label("Last 24 h")).to_be_checked()
    await expect(page.locator("#stats-summary")).to_contain_text("4 signals, 4 incidents")
    assert await _table_text(page, "stats-groups") == [
        ["Registon", "Panic", "3", "3", "1", "2", "0", "1"],
        ["Siab", "Fire", "1", "1", "0", "0", "1", "0"],
        ["All districts", "all kinds", "4", "4", "1", "2", "1", "1"],
    ]
    assert await _table_text(page, "stats-intervals") == [
        ["Received → dispatched", "3", "40 s", "56 s", "1 min", "within target"],
        ["Dispatched → acknowledged", "3", "10 s", "42 s", "30 s", "over target"],
        ["Received → on scene", "3", "6 min 40 s", "13 min 20 s", "10 min", "over target"],
    ]
    name, rows = await _downloaded_csv(page)
    assert name.startswith("posbon-stats-")
    assert name.endswith(".csv")
    assert ["Registon", "panic", "3", "3", "1", "2", "0", "1"] in rows
    assert ["Siab", "fire", "1", "1", "0", "0", "1", "0"] in rows
    assert ["dispatch", "received", "dispatched", "3", "40.0", "56.0", "60.0", "True"] in rows
    assert [
        "acknowledge",
        "dispatched",
        "acknowledged",
        "3",
        "10.0",
        "42.0",
        "30.0",
        "False",
    ] in rows

    await page.get_by_label("Last 24 h").focus()
    await page.keyboard.press("ArrowRight")
    await expect(page.get_by_label("Last 7 days")).to_be_checked()
    await expect(page.locator("#stats-summary")).to_contain_text("5 signals, 5 incidents")
    await expect(panel.locator('tr[data-district="Siab"][data-kind="panic"]')).to_be_visible()
    intervals = await _table_text(page, "stats-intervals")
    assert intervals[0] == [
        "Received → dispatched", "4", "50 s", "1 min 28 s", "1 min", "over target",
    ]  # fmt: skip
    _, rows = await _downloaded_csv(page)
    assert ["Siab", "panic", "1", "1", "0", "0", "0", "0"] in rows
    assert ["dispatch", "received", "dispatched", "4", "50.0", "88.0", "60.0", "False"] in rows

    await page.get_by_role("button", name="Close statistics").click()
    await expect(panel).to_be_hidden()
    await expect(toggle).to_be_focused()
    assert problems == []
