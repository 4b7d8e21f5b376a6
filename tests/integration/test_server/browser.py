"""Debian's Chromium driven by Playwright, for the dispatcher page's tests.

Never `playwright install`: the browser is the system's /usr/bin/chromium (apt-get install
chromium). Without it the browser tests skip locally and fail in CI.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from server.auth.schemas import Role
from server.demo import seed
from server.relay import outbox
from server.relay.hub import OVERFLOW
from tests.integration.live import Live
from tests.integration.test_server.helpers import dispatch, post_alert

CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # WebGL (the MapLibre basemap) on the CPU: Chromium no longer falls back to it unasked.
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: Final = {"width": 1440, "height": 1000}
SIGN_IN_TIMEOUT_MS: Final = 10_000
EXPECT_TIMEOUT_MS: Final = 15_000
"""Playwright's 5 s default is too short on a 2-core machine running a server, a browser and a
test at once; a page that never gets there still fails, just later."""
expect.set_options(timeout=EXPECT_TIMEOUT_MS)
DEMO_CALLS: Final = (
    ("panic", "School No. 1"),
    ("intrusion", "School No. 21"),
    ("fire", "Siab bazaar SOS column"),
)
"""Calls at the demo's sites (server/demo), by kind: a fire (dispatched) and two waiting."""


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (apt-get install -y chromium)")
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


class PageProblems:
    """Console errors and uncaught exceptions: a page that works logs neither."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"uncaught: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.seen.append(f"console: {message.text}" + (f" ({where})" if where else ""))


async def open_page(
    browser: Browser, live: Live, viewport: dict[str, int] = VIEWPORT, **options: Any
) -> tuple[Page, PageProblems]:
    """The dispatcher page in a new page of `browser` (`options`: new_page's, e.g. a locale)."""
    page = await browser.new_page(viewport=viewport, **options)  # type: ignore[arg-type]
    problems = PageProblems(page)
    await page.goto(live.http + "/")
    return page, problems


async def sign_in(page: Page, token: str) -> None:
    await page.get_by_label("Dispatcher token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await wait_live(page)


async def signed_in(
    browser: Browser, live: Live, viewport: dict[str, int] = VIEWPORT
) -> tuple[Page, list[str]]:
    """A page signed in with a fresh dispatcher token, and the list its problems go to."""
    page, problems = await open_page(browser, live, viewport)
    await sign_in(page, await live.token(Role.DISPATCHER))
    return page, problems.seen


async def api_get(live: Live, path: str) -> Any:
    token = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def demo_with_calls(
    live: Live, calls: Sequence[tuple[str, str]] = DEMO_CALLS
) -> dict[str, Any]:
    """The demo data with a call of each (kind, demo site) raised, the fire's dispatched to the
    first crew; the alerts raised, by kind."""
    await seed.seed(live.state.db)
    dispatcher = await live.token(Role.DISPATCHER)
    crews = await api_get(live, "/api/v1/crews")
    sites = {site["name"]: site["id"] for site in await api_get(live, "/api/v1/sites?limit=1000")}
    raised = {}
    for kind, place in calls:
        raised[kind] = await post_alert(
            live, dispatcher, kind=kind, site_id=sites[place], lat=None, lon=None, address=""
        )
    await dispatch(live, dispatcher, raised["fire"]["incident_id"], crews[0]["id"])
    return raised


async def wait_live(page: Page) -> None:
    """The socket is open and the page has applied the REST snapshot."""
    html = page.locator("html")
    await expect(html).to_have_attribute("data-relay", "live", timeout=SIGN_IN_TIMEOUT_MS)
    await expect(html).to_have_attribute("data-state", "loaded", timeout=SIGN_IN_TIMEOUT_MS)
    await expect(page.locator("#console")).to_be_visible()


async def dispatch_stream_head(live: Live) -> int:
    return await outbox.head(live.state.db, outbox.DISPATCH_STREAM)


def close_dispatcher_sockets_from_server(live: Live) -> int:
    """Make the server drop every /ws/dispatch socket, as it does a too-slow one (close 4408)."""
    closed = 0
    for subscriber in live.state.hub._subscribers.get(outbox.DISPATCH_STREAM, set()):
        subscriber.overflowed = True
        while not subscriber.queue.empty():
            subscriber.queue.get_nowait()
        subscriber.queue.put_nowait(OVERFLOW)
        closed += 1
    return closed


async def row_ids(page: Page, table_id: str) -> list[int]:
    """The incident (or crew) ids of a table's rows, top to bottom."""
    rows = page.locator(f"#{table_id} tbody tr")
    keys = await rows.evaluate_all("rows => rows.map(row => row.dataset.key)")
    return [int(key) for key in keys]
