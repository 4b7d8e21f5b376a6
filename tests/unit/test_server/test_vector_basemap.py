"""Byte ranges of the vector basemap, the outline naming it, and the tablet caching its files."""

from __future__ import annotations

import json

import pytest

from server.crew_app import routes as crew_routes
from server.crew_app import shell
from server.settings import Settings
from server.web.routes import STATIC_DIR
from server.web.vector_basemap import (
    MAX_RANGE_BYTES,
    OUTLINE_MEMBER,
    RangeNotSatisfiable,
    Slice,
    parse_range,
    with_vector_basemap,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", Slice(0, 0)),
        ("bytes=0-16383", Slice(0, 999)),  # clamped to the file
        ("bytes=100-", Slice(100, 999)),
        ("bytes=-10", Slice(990, 999)),
        ("bytes=-5000", Slice(0, 999)),
        (" bytes=5-9 ", Slice(5, 9)),
    ],
)
def test_a_single_range_is_read_as_rfc_9110_says(header: str, expected: Slice) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header", ["bytes=1000-", "bytes=5-4", "bytes=0-1,4-5", "bytes=-", "pages=0-1", "bytes=a-b"]
)
def test_a_range_outside_the_file_or_of_several_parts_is_refused(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


def test_a_range_too_large_for_one_answer_is_refused() -> None:
    assert (
        parse_range(f"bytes=0-{MAX_RANGE_BYTES - 1}", 2 * MAX_RANGE_BYTES).length == MAX_RANGE_BYTES
    )
    with pytest.raises(RangeNotSatisfiable):
        parse_range(f"bytes=0-{MAX_RANGE_BYTES}", 2 * MAX_RANGE_BYTES)


def test_the_outline_names_the_basemap_only_when_one_is_configured() -> None:
    outline = b'{"type":"FeatureCollection","features":[]}'
    assert with_vector_basemap(outline, Settings(), "/x.pmtiles") == outline
    named = json.loads(with_vector_basemap(outline, Settings(basemap="/srv/city.pmtiles"), "/x"))
    assert named[OUTLINE_MEMBER]["url"] == "/x"
    assert named["type"] == "FeatureCollection"


def test_the_tablet_caches_every_vendored_map_file_and_the_shared_module() -> None:
    urls = shell.shell_urls(crew_routes.STATIC_DIR, shell.shell_files(crew_routes.STATIC_DIR))
    for url in shell.map_assets():
        assert (STATIC_DIR / url.removeprefix("/static/")).is_file(), url
        assert url in urls
    assert "/static/vendor/maplibre-gl/maplibre-gl-worker.mjs" in urls
    assert "/static/vendor/fonts/noto-sans-cyrillic-ext-400-normal.woff2" in urls
    assert "/static/shared/vector-map.js" in urls
