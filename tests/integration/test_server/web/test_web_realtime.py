"""The dispatcher page recovers from every kind of lost connection without missing or repeating
an event: the network going away, the server dropping the socket, a gap too long to replay, and a
link that goes silent without closing. Real Chromium, real server, real sockets.
"""

from __future__ import annotations

import re
from typing import Final

import pytest
from playwright.async_api import Browser, Route, WebSocketRoute, expect

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.integration.live import Live, serve
from tests.integration.test_server.browser import (
    PageProblems,
    close_dispatcher_sockets_from_server,
    dispatch_stream_head,
    row_ids,
    sign_in,
    signed_in,
    wait_live,
)
from tests.integration.test_server.helpers import post_alert

pytestmark = [pytest.mark.integration, pytest.mark.browser]

HEARTBEAT_S: Final = 5  # static/shared/socket.js: TIMING.heartbeatEveryMs
HEARTBEAT_ANSWER_S: Final = 4  # static/shared/socket.js: TIMING.heartbeatAnswerMs
FAILED_LOADS: Final = 2


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def test_alerts_raised_while_offline_appear_once_and_in_order_after_reconnect(
    browser: Browser, live: Live
) -> None:
    page, problems = await signed_in(browser, live)
    dispatcher = await live.token(Role.DISPATCHER)
    first = await post_alert(live, dispatcher)
    await expect(
        page.locator(f'#pending tr[data-incident-id="{first["incident_id"]}"]')
    ).to_be_visible()
    start_seq = int(await page.locator("html").get_attribute("data-last-seq") or "0")
    applied_before = int(await page.locator("html").get_attribute("data-events-applied") or "0")

    await page.context.set_offline(True)
    await expect(page.locator("html")).to_have_attribute("data-relay", "offline")
    missed = [await post_alert(live, dispatcher, address=f"Offline {n}") for n in range(3)]
    await page.wait_for_timeout(300)
    assert await row_ids(page, "pending") == [first["incident_id"]]

    await page.context.set_offline(False)
    await wait_live(page)
    expected = [first["incident_id"], *(alert["incident_id"] for alert in missed)]
    await expect(page.locator("#pending tbody tr")).to_have_count(len(expected))
    assert await row_ids(page, "pending") == expected
    head = await dispatch_stream_head(live)
    await expect(page.locator("html")).to_have_attribute("data-last-seq", str(head))
    applied = int(await page.locator("html").get_attribute("data-events-applied") or "0")
    assert applied - applied_before == head - start_seq  # every missed event once, none twice
    assert problems == []


async def test_a_socket_dropped_by_the_server_resumes_without_loss_or_duplicates(
    browser: Browser, live: Live
) -> None:
    page, problems = await signed_in(browser, live)
    dispatcher = await live.token(Role.DISPATCHER)
    start_seq = int(await page.locator("html").get_attribute("data-last-seq") or "0")
    assert close_dispatcher_sockets_from_server(live) == 1
    posted = [await post_alert(live, dispatcher, address=f"During drop {n}") for n in range(3)]
    ids = [alert["incident_id"] for alert in posted]
    await expect(page.locator("#pending tbody tr")).to_have_count(3)
    assert await row_ids(page, "pending") == ids
    head = await dispatch_stream_head(live)
    await expect(page.locator("html")).to_have_attribute("data-last-seq", str(head))
    await expect(page.locator("html")).to_have_attribute(
        "data-events-applied", str(head - start_seq)
    )
    await expect(page.locator("html")).to_have_attribute("data-relay", "live")
    assert problems == []


async def test_a_gap_too_long_to_replay_reloads_everything_over_rest(
    browser: Browser, settings: Settings, db: Database
) -> None:
    async with serve(with_overrides(settings, relay_replay_max=2), db) as small:
        page, problems = await signed_in(browser, small)
        dispatcher = await small.token(Role.DISPATCHER)
        await page.context.set_offline(True)
        await expect(page.locator("html")).to_have_attribute("data-relay", "offline")
        posted = [await post_alert(small, dispatcher, address=f"Missed {n}") for n in range(3)]
        await page.context.set_offline(False)
        await expect(page.locator("#notice")).to_contain_text("Reloaded everything")
        await expect(page.locator("#pending tbody tr")).to_have_count(3)
        assert await row_ids(page, "pending") == [alert["incident_id"] for alert in posted]
        assert problems == []


async def test_a_silent_socket_is_noticed_by_the_heartbeat_and_resumed(
    browser: Browser, live: Live
) -> None:
    page = await browser.new_page()
    problems = PageProblems(page)
    muted: list[bool] = []

    def proxy(socket: WebSocketRoute) -> None:
        index = len(muted)
        muted.append(False)
        server = socket.connect_to_server()
        server.on_message(lambda message: None if muted[index] else socket.send(message))

    await page.clock.install()
    await page.route_web_socket(re.compile(r"/ws/dispatch$"), proxy)
    await page.goto(live.http + "/")
    await sign_in(page, await live.token(Role.DISPATCHER))
    muted[0] = True  # the link goes silent: no close, no error, nothing arrives
    alert = await post_alert(live, await live.token(Role.DISPATCHER))
    row = page.locator(f'#pending tr[data-incident-id="{alert["incident_id"]}"]')
    await page.clock.run_for(HEARTBEAT_S * 1000 - 1000)
    await expect(row).to_have_count(0)
    await page.clock.run_for(HEARTBEAT_ANSWER_S * 1000 + 2000)
    await expect(row).to_have_count(1)
    assert len(muted) == 2
    assert problems.seen == []


async def test_a_state_load_that_fails_is_retried_until_it_succeeds(
    browser: Browser, live: Live
) -> None:
    dispatcher = await live.token(Role.DISPATCHER)
    alert = await post_alert(live, dispatcher)
    page = await browser.new_page()
    failures: list[str] = []

    async def fail_twice(route: Route) -> None:
        if len(failures) < FAILED_LOADS:
            failures.append(route.request.url)
            await route.fulfill(status=503, json={"code": "down", "detail": "Try again."})
        else:
            await route.continue_()

    await page.route("**/api/v1/crews?*", fail_twice)
    await page.goto(live.http + "/")
    await sign_in(page, dispatcher)
    row = page.locator(f'#pending tr[data-incident-id="{alert["incident_id"]}"]')
    await expect(row).to_have_count(1)
    assert len(failures) == FAILED_LOADS
