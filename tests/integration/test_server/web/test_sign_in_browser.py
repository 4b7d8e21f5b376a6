"""The must-show in Chromium against a real `posbon serve`: a person made with `posbon user
create` signs in with the password and the TOTP code (computed from the secret the command
printed), wrong codes lock the account (and a right code is still refused while locked), and
"sign out everywhere" closes a second session's /ws/dispatch socket within a second."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.acceptance.support import POSBON, REPO_ROOT, ServedPosbon
from tests.integration.test_server.browser import wait_live

pytestmark = pytest.mark.integration

PASSWORD = "night shift 0300"
CLOSED_WITHIN_S = 1.0
"""The must-show: sign out everywhere ends another session's socket within a second."""
SHOTS = Path("/tmp/w/shots")
VIEWPORT = {"width": 1366, "height": 900}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedPosbon]:
    node = ServedPosbon(
        tmp_path / "node", args=["--login-max-failures", "3", "--login-lockout-s", "300"]
    )
    with node:
        yield node


def _create_user(served: ServedPosbon, username: str, name: str = "") -> str:
    """`posbon user create` (`name`: the name the page shows); the TOTP secret it printed."""
    command = ("user", "create", "--username", username, "--role", "dispatcher", "--name", name)
    made = subprocess.run(
        [str(POSBON), *command, "--password-stdin", "--data-dir", str(served.data_dir)],
        input=PASSWORD + "\n",
        env=served.env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    found = re.search(r"^secret: ([A-Z2-7]+)$", made.stdout, re.MULTILINE)
    assert found is not None, made.stdout
    return found.group(1)


async def _page(browser: Browser, served: ServedPosbon) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(served.http + "/")
    return context, page


async def _sign_in(page: Page, username: str, code: str) -> None:
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Code from the authenticator app").fill(code)
    await page.get_by_role("button", name="Sign in").click()


async def _until_closed(socket: ClientConnection) -> None:
    while True:  # events may come before the close
        await asyncio.wait_for(socket.recv(), CLOSED_WITHIN_S)


def _shot(name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return str(SHOTS / f"accounts-{name}.png")


async def test_password_and_code_then_sign_out_everywhere_closes_the_other_socket(
    browser: Browser, served: ServedPosbon
) -> None:
    totp = pyotp.TOTP(_create_user(served, "Dilnoza", "Dilnoza Karimova"))
    first, desk = await _page(browser, served)
    await expect(desk.get_by_label("Username")).to_be_focused()
    await desk.screenshot(path=_shot("sign-in-form"))
    await _sign_in(desk, "dilnoza", totp.now())
    await wait_live(desk)
    await expect(desk.locator("#who-name")).to_have_text("Dilnoza Karimova")  # the session's person
    await expect(desk.locator("#who-role")).to_have_text("dispatcher")
    cookies = {c["name"]: c for c in await first.cookies()}
    assert cookies["posbon_session"]["httpOnly"] is True
    assert cookies["posbon_session"]["sameSite"] == "Strict"
    assert cookies["posbon_csrf"]["httpOnly"] is False
    assert await desk.evaluate("document.cookie.includes('posbon_session')") is False

    # The second session, elsewhere: a code of the next step (each code is accepted once).
    second, other = await _page(browser, served)
    await _sign_in(other, "dilnoza", totp.at(time.time() + 30))
    await wait_live(other)
    secret = {c["name"]: c["value"] for c in await second.cookies()}["posbon_session"]
    socket = await connect(
        served.ws + "/ws/dispatch",
        origin=served.http,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"posbon_session={secret}"},
    )
    await socket.send(json.dumps({"type": "hello", "token": ""}))
    assert json.loads(await socket.recv())["type"] == "welcome"

    await desk.get_by_role("button", name="Sign out").click()
    await desk.screenshot(path=_shot("sign-out-menu"))
    started = time.monotonic()
    await desk.get_by_role("menuitem", name="Sign out everywhere").click()
    with pytest.raises(ConnectionClosed) as closed:
        await _until_closed(socket)
    elapsed_s = time.monotonic() - started
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    assert elapsed_s <= CLOSED_WITHIN_S, f"closed after {elapsed_s:.3f} s"
    await expect(other.get_by_label("Username")).to_be_visible()
    await expect(desk.get_by_label("Username")).to_be_visible()
    await other.screenshot(path=_shot("signed-out-elsewhere"))
    for context in (first, second):
        await context.close()


async def test_wrong_codes_lock_the_account_and_a_right_code_is_then_refused(
    browser: Browser, served: ServedPosbon
) -> None:
    totp = pyotp.TOTP(_create_user(served, "jasur"))
    context, page = await _page(browser, served)
    error = page.locator("#signin-error")
    for attempt in range(3):
        await _sign_in(page, "jasur", "000000" if totp.now() != "000000" else "111111")
        wanted = "locked" if attempt == 2 else "wrong"
        await expect(error).to_contain_text(wanted)
    await _sign_in(page, "jasur", totp.now())
    await expect(error).to_contain_text("locked")
    await expect(page.locator("#console")).to_be_hidden()
    await page.screenshot(path=_shot("locked"))
    await context.close()
