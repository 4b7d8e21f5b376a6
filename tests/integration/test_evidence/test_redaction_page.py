"""The reviewer's page in Debian's Chromium against a live server with the real models: the
proposed boxes on the timeline, one track removed, one box drawn and added, Render, and the new
evidence item's id and SHA-256 shown as the API gives them; and the page in the language picked on
the dispatcher page (Uzbek Cyrillic), with no English word left and the calls asking the server
for its sentences in that language."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, Request, ViewportSize, expect

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.integration.live import Live, serve
from tests.integration.test_evidence.redaction_support import (
    client,
    job_in,
    settings_for,
    uploaded_scene,
)
from tests.integration.test_server.browser import PageProblems, chromium
from tests.integration.test_server.web.test_languages import SHOWN_TEXTS, english_left

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]
DOCS_SHOT_FLAG = "POSBON_DOCS_SHOTS"
DOCS_SHOT = Path(__file__).resolve().parents[3] / "docs" / "redaction-review.png"
JOB_TIMEOUT_MS = 300_000
BLOB = re.compile(r"^blob:")
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
BROWSER_NAMES = frozenset({"sessionstorage"})
"""The browser's name for the tab's store, which the sign-in hint names in every language."""


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


async def _drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A rectangle dragged on the shown frame, in fractions of the frame's size."""
    box = await page.locator("#frame").bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    await page.mouse.down()
    await page.mouse.move(
        box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=8
    )
    await page.mouse.up()


async def _proposed(live: Live, folder: Path) -> dict[str, Any]:
    """A redaction of the street scene, its boxes proposed and waiting for a person."""
    original = await uploaded_scene(live, folder)
    async with await client(live) as api:
        started = await api.post(f"/api/v1/recordings/{original.recording_id}/redactions")
        return await job_in(api, started.json()["id"], "review")


async def test_a_reviewer_removes_a_track_adds_a_box_and_renders(
    settings: Settings, db: Database, models_dir: Path, tmp_path: Path
) -> None:
    async with serve(settings_for(settings, models_dir), db) as live:
        proposed = await _proposed(live, tmp_path)
        redaction_id = proposed["id"]
        tracks = proposed["tracks"]
        async with chromium() as browser:
            page = await browser.new_page(viewport=VIEWPORT)
            problems = PageProblems(page)
            await page.goto(f"{live.http}/evidence/redact/{redaction_id}")
            await page.get_by_label("Dispatcher token").fill(await live.token(Role.DISPATCHER))
            await page.get_by_role("button", name="Sign in").click()
            html = page.locator("html")
            await expect(html).to_have_attribute("data-state", "review")
            rows = page.locator("#tracks li")
            await expect(rows).to_have_count(len(tracks))
            await expect(page.locator("#tracks .bar.face").first).to_be_visible()
            await expect(page.locator("#tracks .bar.plate").first).to_be_visible()
            await expect(page.locator("#strip img").first).to_have_attribute("src", BLOB)

            await page.locator("#tracks li .lane").first.click(position={"x": 40, "y": 9})
            await expect(page.locator("#frame")).to_have_attribute("src", BLOB)

            plate = page.locator("#tracks li[data-kind=plate]").first
            removed = await plate.get_attribute("data-track")
            await plate.get_by_role("button", name="Remove").click()
            await expect(rows).to_have_count(len(tracks) - 1)
            await expect(page.locator(f'#tracks li[data-track="{removed}"]')).to_have_count(0)

            await _drag(page, (0.80, 0.70), (0.95, 0.85))
            await page.get_by_label("Hide for ± seconds").fill("0.5")
            await page.get_by_role("button", name="Add box").click()
            await expect(rows).to_have_count(len(tracks))
            await expect(page.locator("#tracks li[data-kind=manual]")).to_have_count(1)
            await page.wait_for_load_state("networkidle")
            await page.screenshot(path=str(tmp_path / "review.png"), full_page=True)

            await page.get_by_role("button", name="Render redacted copy").click()
            await expect(html).to_have_attribute("data-state", "done", timeout=JOB_TIMEOUT_MS)
            shown_id = await page.locator("#derivative-id").text_content()
            shown_sha256 = await page.locator("#derivative-sha256").text_content()
            await page.screenshot(path=str(tmp_path / "done.png"), full_page=True)
            assert problems.seen == []
        async with await client(live) as api:
            done = (await api.get(f"/api/v1/redactions/{redaction_id}")).json()
    assert (shown_id, shown_sha256) == (done["derivative_id"], done["derivative_sha256"])
    manual = [track for track in done["tracks"] if track["kind"] == "manual"]
    assert len(manual) == 1
    (frame, (x, y, width, height)), *_ = manual[0]["keyframes"]
    assert 0.75 * 640 < x < 0.85 * 640
    assert 0.65 * 360 < y < 0.75 * 360
    assert 0.10 * 640 < width < 0.20 * 640
    assert 0.10 * 360 < height < 0.20 * 360
    assert manual[0]["last_frame"] - manual[0]["first_frame"] <= 2 * 13  # ± 0.5 s at 25 fps
    assert 0 <= frame < 50
    assert removed not in {track["track_id"] for track in done["tracks"]}
    if os.environ.get(DOCS_SHOT_FLAG):  # refresh the picture in the docs when asked
        shutil.copyfile(tmp_path / "review.png", DOCS_SHOT)


def _without(texts: list[str], values: list[str]) -> list[str]:
    """The texts with the data's ids (recording, redaction, tracks) taken out: they are codes."""
    for value in sorted(values, key=len, reverse=True):
        texts = [text.replace(value, "") for text in texts]
    return texts


async def test_the_page_speaks_the_language_picked_on_the_dispatcher_page(
    settings: Settings, db: Database, models_dir: Path, tmp_path: Path
) -> None:
    async with serve(settings_for(settings, models_dir), db) as live:
        proposed = await _proposed(live, tmp_path)
        ids = [proposed["id"], proposed["recording_id"]]
        ids += [track["track_id"] for track in proposed["tracks"]]
        async with chromium() as browser:
            page = await browser.new_page(viewport=VIEWPORT, locale="en-US")
            await page.goto(live.http + "/")
            async with page.expect_navigation():  # choosing reloads the dispatcher page
                await page.locator("#language").select_option("uz-Cyrl")
            problems = PageProblems(page)
            asked: list[str | None] = []

            def note(request: Request) -> None:
                if "/api/v1/redactions/" in request.url:
                    asked.append(request.headers.get("accept-language"))

            page.on("request", note)
            await page.goto(f"{live.http}/evidence/redact/{proposed['id']}")
            html = page.locator("html")
            await expect(html).to_have_attribute("lang", "uz-Cyrl")
            await expect(page.locator("#language")).to_have_value("uz-Cyrl")
            signed_out = english_left(await page.evaluate(SHOWN_TEXTS), set(BROWSER_NAMES))

            await page.get_by_label("Диспетчер токени").fill(await live.token(Role.DISPATCHER))
            await page.get_by_role("button", name="Кириш").click()
            await expect(html).to_have_attribute("data-state", "review")
            await expect(page.locator("#tracks li")).to_have_count(len(proposed["tracks"]))
            await expect(page.locator("#strip img").first).to_have_attribute("src", BLOB)
            await expect(page.locator("#frame")).to_have_attribute("src", BLOB)
            await expect(page.locator("#progress-text")).to_have_text("текширув")
            await page.wait_for_load_state("networkidle")
            texts = _without(await page.evaluate(SHOWN_TEXTS), ids)
            await page.screenshot(path=str(tmp_path / "review-uz-Cyrl.png"), full_page=True)
            assert problems.seen == []
    assert signed_out == {}, signed_out
    left = english_left(texts, set(BROWSER_NAMES))
    assert left == {}, "\n".join(f"{text!r}: {words}" for text, words in left.items())
    assert asked, "the page called no API"
    assert set(asked) == {"uz-Cyrl"}
