"""The "Recent recognitions" panel in Chromium at a night desk, dark scheme: a real wrong face
match (real models, real photos) is listed with its crop; clicking "Wrong" marks it, the server
stores the verdict and adds the negative example; the watchlist's threshold slider shows the
false-match and true-match rates of where it stands and saves a new threshold. "Wrong" on plate
alerts says what it taught: a possible match's reading no longer matches the entry; an exact
match was read right, so the list entry is what to check.

POSBON_REVIEW_SCREENSHOTS names a folder to save the panel's screenshots in. SQLite only: the
API's own tests cover both engines."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.integration.live import Live, serve
from tests.integration.test_recognition.test_review_api import LISTED, STRANGER, jpeg
from tests.integration.test_server.browser import chromium, open_page, sign_in
from tests.integration.test_server.helpers import post_alert
from tests.integration.test_server.recognition_support import created, recognition_settings

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

NIGHT_DESK: Final = {"width": 1366, "height": 768}
SHOTS: Final = os.environ.get("POSBON_REVIEW_SCREENSHOTS", "")
BLOB_URL: Final = re.compile(r"^blob:")


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
async def live(settings: Settings, db: Database, models_dir: Path) -> AsyncIterator[Live]:
    async with serve(recognition_settings(settings, models_dir), db) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as running:
        yield running


async def _wrong_match(live: Live) -> tuple[int, int]:
    """A stranger matched to a listed man at the lowest threshold: (alert id, watchlist id)."""
    admin, camera_token = await live.token(Role.ADMIN), await live.token(Role.CAMERA)
    async with httpx.AsyncClient(
        base_url=live.http, headers=live.headers(admin), timeout=120
    ) as client:
        hall = {"name": "Chorsu hall", "kind": "face", "cooldown_s": 0}
        camera = await created(client, "/api/v1/cameras", hall)
        watchlist = await created(
            client, "/api/v1/watchlists", {"name": "Wanted", "threshold": 0.3}
        )
        persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
        person = await created(client, persons, {"name": "Subject 03"})
        enrolled = await client.post(f"{persons}/{person['id']}/photos", content=jpeg(LISTED))
        assert enrolled.status_code == 201, enrolled.text
        pushed = await client.post(
            f"/api/v1/cameras/{camera['id']}/frames",
            content=jpeg(STRANGER),
            headers=live.headers(camera_token),
        )
        (alert_id,) = pushed.json()["alerts"]
    return int(alert_id), int(watchlist["id"])


async def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / name))


async def test_the_panel_lists_a_match_marks_it_wrong_and_moves_the_threshold(
    live: Live, browser: Browser
) -> None:
    alert_id, watchlist_id = await _wrong_match(live)
    page, problems = await open_page(browser, live, NIGHT_DESK, color_scheme="dark")
    await sign_in(page, await live.token(Role.ADMIN))
    await page.get_by_role("button", name="Recognitions").click()

    card = page.locator(f'#recognitions-list li[data-alert-id="{alert_id}"]')
    await expect(card).to_be_visible()
    await expect(card.locator(".recognition-subject")).to_have_text("Subject 03")
    await expect(card).to_contain_text("Chorsu hall")
    await expect(card).to_contain_text("Not reviewed yet")
    crop = card.locator("img.recognition-crop")
    await expect(crop).to_have_attribute("src", BLOB_URL)
    assert await crop.evaluate("image => image.complete && image.naturalWidth > 0")
    slider = page.locator(f'li[data-watchlist-id="{watchlist_id}"]')
    await expect(slider.locator(".threshold-rates")).to_contain_text("False matches")
    await _shot(page, "review-queue.png")

    await card.get_by_role("button", name="Wrong").click()
    await expect(card).to_have_attribute("data-verdict", "wrong")
    await expect(card).to_contain_text("Marked wrong by")
    await expect(card.get_by_role("button", name="Wrong")).to_have_attribute("aria-pressed", "true")
    await _shot(page, "review-marked-wrong.png")

    await slider.get_by_role("slider").fill("0.5")
    await expect(slider.locator("output")).to_have_text("0.50")
    await expect(slider.locator(".threshold-rates")).to_have_attribute("data-risk", "none")
    await slider.get_by_role("button", name="Save threshold").click()
    await expect(page.locator("#notice")).to_contain_text("is now 0.5")
    await slider.scroll_into_view_if_needed()
    await _shot(page, "review-threshold.png")

    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        (reviewed,) = (
            await client.get("/api/v1/recognitions/recent", params={"status": "all"})
        ).json()
        watchlist = (await client.get(f"/api/v1/watchlists/{watchlist_id}")).json()
    assert reviewed["review"]["verdict"] == "wrong"
    assert reviewed["review"]["negative_photo_id"] is not None
    assert watchlist["threshold"] == 0.5
    assert problems.seen == []


async def _plate_alerts(live: Live) -> tuple[int, int]:
    """A possible and an exact wanted-plate alert, as a camera's frames would raise them:
    (possible alert id, exact alert id)."""
    admin, camera = await live.token(Role.ADMIN), await live.token(Role.CAMERA)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        wanted = await created(client, "/api/v1/plates/lists", {"name": "Stolen", "kind": "wanted"})
        entries = f"/api/v1/plates/lists/{wanted['id']}/entries"
        await created(client, entries, {"plate": "LM 298 AT"})
        await created(client, entries, {"plate": "30 A 123 BC"})
    details = {"camera": "Ramp", "list_id": wanted["id"], "list": "Stolen", "confidence": 0.62}
    possible = await post_alert(
        live,
        camera,
        kind="plate_wanted",
        details=details
        | {"plate": "LM298AI", "display": "LM298AI", "listed_plate": "LM 298 AT", "possible": True},
    )
    exact = await post_alert(
        live,
        camera,
        kind="plate_wanted",
        details=details
        | {"plate": "30A123BC", "display": "30 A 123 BC", "listed_plate": "30 A 123 BC"},
    )
    return int(possible["id"]), int(exact["id"])


async def test_a_wrong_plate_verdict_says_what_it_taught(live: Live, browser: Browser) -> None:
    possible_id, exact_id = await _plate_alerts(live)
    page, problems = await open_page(browser, live, NIGHT_DESK, color_scheme="dark")
    await sign_in(page, await live.token(Role.DISPATCHER))
    await page.get_by_role("button", name="Recognitions").click()

    possible = page.locator(f'#recognitions-list li[data-alert-id="{possible_id}"]')
    exact = page.locator(f'#recognitions-list li[data-alert-id="{exact_id}"]')
    await expect(possible.locator(".possible-tag")).to_have_text("Possible")
    await expect(exact.locator(".possible-tag")).to_have_count(0)
    note = possible.locator(".possible-note")
    await expect(note).to_contain_text("listed LM 298 AT, read LM298AI")
    await possible.get_by_role("button", name="Wrong").click()
    await expect(possible.locator(".recognition-taught")).to_have_text(
        "LM298AI will no longer match LM 298 AT."
    )
    await expect(page.locator("#notice")).to_contain_text("LM298AI will no longer match")
    await exact.get_by_role("button", name="Wrong").click()
    await expect(exact.locator(".recognition-taught")).to_have_text(
        "Read right; check the list entry"
    )
    await _shot(page, "review-plates-wrong.png")
    await possible.get_by_role("button", name="Correct").click()
    await expect(possible).to_have_attribute("data-verdict", "correct")
    await expect(possible.locator(".recognition-taught")).to_have_count(0)
    assert problems.seen == []
