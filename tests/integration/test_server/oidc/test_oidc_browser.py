"""Single sign-on in Chromium: the sign-in screen offers "Sign in with the city account" when
the server has it (and only then); a click goes to the local OpenID provider (tests/oidc_provider,
its own process), whose form takes the person in group "ops-dispatch", and the page comes back
signed in as a dispatcher by the role map `ops-dispatch=dispatcher`.

SQLite only: the page is under test here; test_oidc_sign_in.py covers both engines.
POSBON_OIDC_SCREENSHOTS names a folder to save the sign-in screen's screenshots in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.live import Live
from tests.integration.test_server.browser import open_page, wait_live
from tests.integration.test_server.oidc.conftest import SsoNode

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CITY_ACCOUNT: Final = "Sign in with the city account"
NIGHT_DESK: Final = {"width": 1366, "height": 768}
SHOTS: Final = os.environ.get("POSBON_OIDC_SCREENSHOTS", "")


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


def _from_provider(problem: str, issuer: str) -> bool:
    return f"({issuer}/" in problem or "(https://fonts.googleapis.com/" in problem


async def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / name))


async def test_a_city_account_in_the_dispatch_group_signs_in_as_a_dispatcher(
    sso: SsoNode, browser: Browser
) -> None:
    page, problems = await open_page(browser, sso.live, NIGHT_DESK)
    link = page.get_by_role("link", name=CITY_ACCOUNT)
    await expect(link).to_be_visible()
    await _shot(page, "oidc-signin-en.png")
    await link.click()

    await expect(page.locator("input[name=login]")).to_be_visible()
    assert page.url.startswith(sso.provider.issuer + "/interaction/")
    await page.locator("input[name=login]").fill("ana")
    await page.locator("input[name=password]").fill("any password")
    await page.get_by_role("button", name="Sign-in").click()

    await expect(page).to_have_url(sso.live.http + "/")
    whoami: dict[str, Any] = await page.evaluate(
        "fetch('/api/v1/session', {cache: 'no-store'}).then((response) => response.json())"
    )
    assert whoami["role"] == "dispatcher", whoami
    assert whoami["user"]["username"] == "ana"
    assert whoami["user"]["source"] == "oidc"
    await wait_live(page)  # the page took the session cookie: the dispatcher view, live
    await _shot(page, "oidc-signed-in.png")
    # The provider's own dev login page asks for a web font and a favicon it cannot have here;
    # only what Posbon's page logs counts.
    ours = [seen for seen in problems.seen if not _from_provider(seen, sso.provider.issuer)]
    assert ours == []


async def test_a_person_in_no_mapped_group_is_told_why(sso: SsoNode, browser: Browser) -> None:
    page, _ = await open_page(browser, sso.live, NIGHT_DESK)
    await page.get_by_role("link", name=CITY_ACCOUNT).click()
    await page.locator("input[name=login]").fill("bob")
    await page.locator("input[name=password]").fill("any password")
    await page.get_by_role("button", name="Sign-in").click()
    await expect(page.get_by_role("alert")).to_contain_text("bob is in no group that gives access")
    await _shot(page, "oidc-refused.png")
    await page.get_by_role("link", name="Posbon").click()
    await expect(page.get_by_label("Dispatcher token")).to_be_visible()


@pytest.mark.parametrize("locale", ["ru", "uz-Latn", "uz-Cyrl"])
async def test_the_city_account_link_speaks_the_page_language(
    sso: SsoNode, browser: Browser, locale: str
) -> None:
    page, problems = await open_page(browser, sso.live, NIGHT_DESK, locale=locale)
    link = page.locator("#signin-city a")
    await expect(link).to_be_visible()
    assert (await link.inner_text()).strip() not in ("", CITY_ACCOUNT)
    await _shot(page, f"oidc-signin-{locale}.png")
    assert problems.seen == []


async def test_without_single_sign_on_the_link_is_not_offered(live: Live, browser: Browser) -> None:
    page, problems = await open_page(browser, live, NIGHT_DESK)
    await expect(page.get_by_label("Dispatcher token")).to_be_visible()
    await expect(page.get_by_role("link", name=CITY_ACCOUNT)).to_be_hidden()
    assert problems.seen == []
