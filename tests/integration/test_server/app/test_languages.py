# ruff: noqa: RUF001  (Cyrillic letters and the Uzbek modifier letters are meant, not look-alikes)
"""Over real HTTP: error sentences in the reader's language with the code unchanged, and the
deployment's time zone in both page shells and the dispatcher's config."""

from __future__ import annotations

import re

import httpx
import msgspec
import pytest

from server.auth.schemas import Role
from server.settings import Settings, with_overrides
from tests.integration.live import Live

pytestmark = pytest.mark.integration

TIME_ZONE = "Europe/Moscow"  # not the default, so the setting is what the page shows


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_overrides(settings, time_zone=TIME_ZONE)


async def test_an_uzbek_cyrillic_reader_gets_a_cyrillic_sentence_and_the_same_code(
    live: Live,
) -> None:
    token = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        cyrillic = await client.get(
            "/api/v1/incidents/987654", headers={"Accept-Language": "uz-Cyrl"}
        )
        english = await client.get("/api/v1/incidents/987654")
    assert cyrillic.status_code == english.status_code == 404
    body = cyrillic.json()
    assert body["code"] == english.json()["code"] == "not_found"
    assert body["message"] == "Сиз учун 987654 id рақамли ҳодиса йўқ."
    assert (
        body["detail"]
        == english.json()["message"]
        == "There is no incident with id 987654 for you."
    )
    assert cyrillic.headers["content-language"] == "uz-Cyrl"


async def test_a_framework_error_is_translated_too(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        refused = await client.get("/api/v1/incidents", headers={"Accept-Language": "ru-RU,ru"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_missing"
    assert re.search("[а-яА-Я]", refused.json()["message"]), refused.json()


@pytest.mark.parametrize("path", ["/", "/crew"])
async def test_both_page_shells_carry_the_time_zone(live: Live, path: str) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        page = await client.get(path)
    assert page.status_code == 200
    found = re.search(
        rb'<script type="application/json" id="posbon-settings">(.*?)</script>', page.content
    )
    assert found is not None
    assert msgspec.json.decode(found.group(1)) == {"time_zone": TIME_ZONE}


async def test_the_dispatcher_config_names_the_time_zone(live: Live) -> None:
    token = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        config = await client.get("/api/v1/web/config")
    assert config.json()["time_zone"] == TIME_ZONE
