"""The vector basemap's routes: the PMTiles archive by byte range under each app's token, its URL
named in each app's outline GeoJSON, 404 without `--basemap`, and the vendored files served."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import httpx
import pytest

from server.auth.schemas import Role
from server.settings import Settings
from server.web.routes import STATIC_DIR
from tests.integration.live import Live
from tests.integration.test_server.helpers import create_crew
from tests.integration.test_server.web.basemap_tiles import write_city

pytestmark = pytest.mark.integration

WEB: Final = "/api/v1/web/basemap.pmtiles"
CREW: Final = "/api/v1/crew-app/basemap.pmtiles"


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture
def with_basemap() -> bool:
    return True


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_city(tmp_path / "city.pmtiles")


@pytest.fixture
def settings(tmp_path: Path, archive: Path, with_basemap: bool) -> Settings:
    return Settings(data_dir=str(tmp_path / "var"), basemap=str(archive) if with_basemap else "")


async def _get(live: Live, path: str, token: str | None, **headers: str) -> httpx.Response:
    if token is not None:
        headers |= live.headers(token)
    async with httpx.AsyncClient(base_url=live.http) as client:
        return await client.get(path, headers=headers)


async def test_each_app_reads_the_archive_by_range_under_its_token(
    live: Live, archive: Path
) -> None:
    content = archive.read_bytes()
    dispatcher = await live.token(Role.DISPATCHER)
    crew = await live.token(
        Role.CREW, await create_crew(live, await live.token(Role.ADMIN), "L-1", 39.65, 66.97)
    )
    for path, token in ((WEB, dispatcher), (CREW, crew), (CREW, dispatcher)):
        head = await _get(live, path, token, Range="bytes=0-126")
        assert head.status_code == 206, head.text
        assert head.content == content[:127]
        assert head.content.startswith(b"PMTiles")
        assert head.headers["content-range"] == f"bytes 0-126/{len(content)}"
        assert head.headers["accept-ranges"] == "bytes"
        tail = await _get(live, path, token, Range="bytes=-10")
        assert tail.status_code == 206
        assert tail.content == content[-10:]
        assert tail.headers["etag"] == head.headers["etag"]
        whole = await _get(live, path, token)
        assert whole.status_code == 200
        assert whole.content == content


async def test_the_archive_needs_a_token_of_a_role_that_reads_the_map(live: Live) -> None:
    assert (await _get(live, WEB, None, Range="bytes=0-9")).status_code == 401
    assert (await _get(live, CREW, None, Range="bytes=0-9")).status_code == 401
    crew = await live.token(
        Role.CREW, await create_crew(live, await live.token(Role.ADMIN), "L-2", 39.65, 66.97)
    )
    assert (await _get(live, WEB, crew, Range="bytes=0-9")).status_code == 403


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "bytes=999999999-", "items=0-1", "bytes=-"])
async def test_a_range_it_cannot_serve_is_refused(live: Live, header: str) -> None:
    answer = await _get(live, WEB, await live.token(Role.DISPATCHER), Range=header)
    assert answer.status_code == 416, answer.text
    assert answer.json()["code"] == "range_not_satisfiable"


async def test_the_outline_names_the_archive_for_each_app(live: Live) -> None:
    dispatcher = await live.token(Role.DISPATCHER)
    web = (await _get(live, "/api/v1/web/basemap", dispatcher)).json()
    crew = (await _get(live, "/api/v1/crew-app/basemap", dispatcher)).json()
    assert web["posbon_vector_basemap"]["url"] == WEB
    assert crew["posbon_vector_basemap"]["url"] == CREW
    assert "OpenStreetMap" in web["posbon_vector_basemap"]["attribution"]
    assert web["type"] == "FeatureCollection"
    assert web["features"]


@pytest.mark.parametrize("with_basemap", [False])
async def test_without_a_basemap_the_archive_is_not_found_and_the_outline_names_none(
    live: Live, with_basemap: bool
) -> None:
    dispatcher = await live.token(Role.DISPATCHER)
    assert (await _get(live, WEB, dispatcher, Range="bytes=0-9")).status_code == 404
    assert (await _get(live, CREW, dispatcher, Range="bytes=0-9")).status_code == 404
    outline = (await _get(live, "/api/v1/web/basemap", dispatcher)).json()
    assert "posbon_vector_basemap" not in outline
    assert outline["features"]


async def test_the_vendored_map_files_are_served_without_a_token(live: Live) -> None:
    for path, media in (
        ("/static/vendor/maplibre-gl/maplibre-gl.mjs", "text/javascript"),
        ("/static/vendor/maplibre-gl/maplibre-gl-worker.mjs", "text/javascript"),
        ("/static/vendor/pmtiles/pmtiles.js", "text/javascript"),
        ("/static/vendor/protomaps-basemaps/layers-light-en.json", "application/json"),
        ("/static/vendor/fonts/noto-sans-cyrillic-ext-400-normal.woff2", "font/woff2"),
        ("/static/shared/vector-map.js", "text/javascript"),
    ):
        answer = await _get(live, path, None)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(media), (path, answer.headers)
    for folder in ("maplibre-gl", "pmtiles", "fflate", "protomaps-basemaps", "fonts"):
        assert (STATIC_DIR / "vendor" / folder / "LICENSE").is_file(), folder
