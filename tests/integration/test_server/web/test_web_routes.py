"""The dispatcher page's routes: the shell and scripts load without a token and hold no data;
its config and basemap, like everything with data, need a dispatcher's token."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar.routes import HTTPRoute

from server.app import UNAUTHENTICATED, create_app
from server.auth.schemas import Role
from server.db import Database
from server.incidents.vocabulary import VOCABULARY, Vocabulary
from server.settings import Settings, with_overrides
from server.web.routes import STATIC_DIR
from server.web.schemas import QUEUE_AGING_S
from tests.integration.live import Live, serve
from tests.integration.test_server.helpers import create_crew

pytestmark = pytest.mark.integration

SAMARKAND_LAT = (39.55, 39.75)
SAMARKAND_LON = (66.80, 67.10)
PAGE_PATHS = {"/", "/static/{file_path:path}"}
CREW_APP_PATHS = {
    "/crew",
    "/crew/sw.js",
    "/crew/manifest.webmanifest",
    "/crew/static/{file_path:path}",
}


async def test_the_page_shell_loads_without_a_token_and_embeds_no_secret(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'src="/static/js/main.js"' in response.text
    assert "pb_" not in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "http" not in policy  # no foreign origin at all without a tile server


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/js/main.js", "text/javascript"),
        ("/static/app.css", "text/css"),
        ("/static/vendor/leaflet/leaflet-src.esm.js", "text/javascript"),
        ("/static/vendor/leaflet/leaflet.css", "text/css"),
    ],
)
async def test_static_files_load_without_a_token(live: Live, path: str, media_type: str) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        response = await client.get(path)
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith(media_type)


def test_every_module_the_page_imports_is_shipped() -> None:
    scripts = list((STATIC_DIR / "js").glob("*.js"))
    assert scripts
    for script in scripts:
        for target in re.findall(r'^import .* from "(\.[^"]+)";$', script.read_text(), re.M):
            assert (script.parent / target).resolve().is_file(), (script.name, target)
    assert (STATIC_DIR / "vendor" / "leaflet" / "LICENSE").is_file()


async def _raw_get(live: Live, path: str) -> bytes:
    """A GET sent byte for byte: httpx would normalise the dots away."""
    host, port = live.http.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    reply = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    await writer.wait_closed()
    return reply


@pytest.mark.parametrize("path", ["/static/../api/v1/incidents", "/static/%2e%2e/routes.py"])
async def test_a_path_escaping_the_static_folder_reaches_nothing(live: Live, path: str) -> None:
    reply = await _raw_get(live, path)
    assert reply.startswith(b"HTTP/1.1 404 "), reply[:200]
    assert b'"priority"' not in reply
    assert b"create_static_files_router" not in reply


def test_only_the_page_its_static_files_and_the_api_docs_skip_the_token(live: Live) -> None:
    patterns = [re.compile(pattern) for pattern in UNAUTHENTICATED]
    exempt = {
        route.path
        for route in create_app(live.state).routes
        if isinstance(route, HTTPRoute) and any(p.search(route.path) for p in patterns)
    }
    docs = {path for path in exempt if path == "/schema" or path.startswith("/schema/")}
    shares = {path for path in exempt if path.startswith("/share/")}
    assert shares == {
        "/share/{token:str}",
        "/share/{token:str}/pin",
        "/share/{token:str}/files/{recording_id:str}",
    }
    review = {"/evidence/redact/{redaction_id:str}"}
    single_sign_on = {"/auth/oidc/login", "/auth/oidc/callback", "/auth/oidc/status"}
    expected = {"/health", "/ready", *PAGE_PATHS, *CREW_APP_PATHS, *review, *single_sign_on}
    assert exempt - docs - shares == expected
    assert "/schema/swagger" in docs  # the docs a person opens in a browser, then Authorize
    assert not any(path.startswith("/api/") for path in exempt)


async def test_the_config_needs_a_dispatcher_token(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        anonymous = await client.get("/api/v1/web/config")
        device = await client.get(
            "/api/v1/web/config", headers=live.headers(await live.token(Role.DEVICE))
        )
        dispatcher = await client.get(
            "/api/v1/web/config", headers=live.headers(await live.token(Role.DISPATCHER))
        )
    assert anonymous.status_code == 401
    assert device.status_code == 403
    assert dispatcher.status_code == 200
    config = dispatcher.json()
    assert config["map_tile_url"] == ""
    assert config["basemap_url"] == "/api/v1/web/basemap"
    assert config["position_stale_s"] == 120.0
    assert config["unacknowledged_after_s"] == 30.0
    assert {int(p): s for p, s in config["queue_aging_s"].items()} == QUEUE_AGING_S


async def test_a_configured_tile_server_reaches_the_page_and_its_policy(
    settings: Settings, db: Database
) -> None:
    tiles = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    async with serve(with_overrides(settings, map_tile_url=tiles), db) as live:
        token = await live.token(Role.DISPATCHER)
        async with httpx.AsyncClient(base_url=live.http) as client:
            config = (await client.get("/api/v1/web/config", headers=live.headers(token))).json()
            page = await client.get("/")
    assert config["map_tile_url"] == tiles
    assert (
        "img-src 'self' data: blob: https://*.tiles.example.org"
        in (page.headers["content-security-policy"])
    )


async def test_the_basemap_is_an_approximate_outline_of_samarkand(live: Live) -> None:
    token = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http) as client:
        anonymous = await client.get("/api/v1/web/basemap")
        response = await client.get("/api/v1/web/basemap", headers=live.headers(token))
    assert anonymous.status_code == 401
    assert response.headers["content-type"].startswith("application/geo+json")
    outline = response.json()
    assert outline["type"] == "FeatureCollection"
    assert outline["properties"]["approximate"] is True
    kinds = {feature["properties"]["kind"] for feature in outline["features"]}
    assert {"outline", "road", "water", "landmark"} <= kinds
    for feature in outline["features"]:
        assert feature["properties"]["approximate"] is True
        for lon, lat in _points(feature["geometry"]):
            assert SAMARKAND_LAT[0] < lat < SAMARKAND_LAT[1], feature["properties"]["name"]
            assert SAMARKAND_LON[0] < lon < SAMARKAND_LON[1], feature["properties"]["name"]


def _points(geometry: dict[str, Any]) -> list[list[float]]:
    coordinates = geometry["coordinates"]
    match geometry["type"]:
        case "Point":
            return [coordinates]
        case "LineString":
            return list(coordinates)
        case "Polygon":
            return [point for ring in coordinates for point in ring]
    raise AssertionError(f"unexpected geometry {geometry['type']}")


def test_the_vendored_leaflet_is_the_recorded_version() -> None:
    readme = (Path(STATIC_DIR).parent / "README.md").read_text()
    header = (STATIC_DIR / "vendor" / "leaflet" / "leaflet-src.esm.js").read_text()[:200]
    version = re.search(r"Leaflet (\d+\.\d+\.\d+)", header)
    assert version is not None
    assert f"leaflet@{version.group(1)}" in readme


async def test_both_shells_embed_the_vocabulary_the_api_serves(live: Live) -> None:
    crew = await create_crew(live, await live.token(Role.ADMIN), "Lochin-1", 39.65, 66.96)
    tokens = [await live.token(Role.DISPATCHER), await live.token(Role.CREW, crew)]
    async with httpx.AsyncClient(base_url=live.http) as client:
        anonymous = await client.get("/api/v1/incidents/vocabulary")
        served = [
            await client.get("/api/v1/incidents/vocabulary", headers=live.headers(token))
            for token in tokens
        ]
        pages = [(await client.get(path)).content for path in ("/", "/crew")]
    assert anonymous.status_code == 401
    for reply in served:
        assert reply.status_code == 200
        assert msgspec.json.decode(reply.content, type=Vocabulary) == VOCABULARY
    for page in pages:
        element = re.search(rb'<script type="application/json" id="posbon-vocabulary">(.*?)<', page)
        assert element is not None
        assert msgspec.json.decode(element.group(1), type=Vocabulary) == VOCABULARY
