"""Both page shells carry the deployment's settings (the time zone) filled in per request."""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec
import pytest

from server.crew_app import routes as crew_routes
from server.settings import Settings
from server.web import routes as web_routes
from server.web.shell import (
    EMPTY_SETTINGS_ELEMENT,
    PageSettings,
    page_settings,
    with_page_settings,
    with_settings,
)

SETTINGS = re.compile(rb'<script type="application/json" id="posbon-settings">(.*?)</script>')


def embedded(page: bytes) -> PageSettings:
    found = SETTINGS.findall(page)
    assert len(found) == 1
    return msgspec.json.decode(found[0], type=PageSettings)


@pytest.mark.parametrize("page_bytes", [web_routes.page_bytes, crew_routes.page_bytes])
def test_both_page_shells_have_one_empty_settings_element(page_bytes: Callable[[], bytes]) -> None:
    assert page_bytes().count(EMPTY_SETTINGS_ELEMENT) == 1


@pytest.mark.parametrize("page_bytes", [web_routes.page_bytes, crew_routes.page_bytes])
def test_the_time_zone_setting_is_what_the_page_carries(page_bytes: Callable[[], bytes]) -> None:
    settings = page_settings(Settings(time_zone="Europe/Moscow"))
    assert embedded(with_page_settings(page_bytes(), settings)) == PageSettings(
        time_zone="Europe/Moscow"
    )
    assert embedded(with_page_settings(page_bytes(), page_settings(Settings()))).time_zone == (
        "Asia/Samarkand"
    )


def test_a_value_cannot_end_the_script_element_early() -> None:
    page = b"<head>" + EMPTY_SETTINGS_ELEMENT + b"</head>"
    filled = with_settings(page, PageSettings(time_zone="</script><script>alert(1)"))
    assert filled.count(b"</script>") == 1
    assert embedded(filled).time_zone == "</script><script>alert(1)"


def test_a_page_without_the_element_is_refused() -> None:
    with pytest.raises(ValueError, match="posbon-settings"):
        with_settings(b"<html><head></head></html>", PageSettings(time_zone="UTC"))
