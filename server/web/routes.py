"""The dispatcher view: the page shell and its static files (no token needed: they hold no
data), and the two small authenticated routes the page reads first (its config, the basemap).

Everything with data comes from the API and /ws/dispatch under the dispatcher's token, which the
page keeps in sessionStorage and sends itself; the shell never embeds it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from litestar import MediaType, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from server.auth.guards import allow
from server.auth.schemas import Role
from server.state import Posbon
from server.web.local_files import LocalFiles
from server.web.policy import content_security_policy
from server.web.schemas import QUEUE_AGING_S, WebConfig
from server.web.shell import page_settings, with_page_settings, with_vocabulary
from server.web.vector_basemap import vector_basemap_route, with_vector_basemap

WEB_DIR: Final = Path(__file__).parent
STATIC_DIR: Final = WEB_DIR / "static"
BASEMAP_FILE: Final = WEB_DIR / "basemap" / "samarkand.geojson"
STATIC_PATH: Final = "/static"
BASEMAP_PATH: Final = "/api/v1/web/basemap"
VECTOR_BASEMAP_PATH: Final = "/api/v1/web/basemap.pmtiles"
GEOJSON_MEDIA_TYPE: Final = "application/geo+json"
# Revalidate on every load: a new release must never run against an old page's scripts.
REVALIDATE: Final = CacheControlHeader(no_cache=True)
READERS = allow(Role.DISPATCHER, Role.ADMIN)


@functools.cache
def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


@functools.cache
def page_bytes() -> bytes:
    """index.html with the incident vocabulary filled in (the settings are filled per request)."""
    return with_vocabulary(_file_bytes(STATIC_DIR / "index.html"))


@get("/", include_in_schema=False, cache_control=REVALIDATE)
async def page(posbon: Posbon) -> Response[bytes]:
    """The page shell; it asks for a token before it loads anything else."""
    headers = {
        "Content-Security-Policy": content_security_policy(posbon.settings.map_tile_url),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    page = with_page_settings(page_bytes(), page_settings(posbon.settings))
    return Response(page, media_type=MediaType.HTML, headers=headers)


static_files = create_static_files_router(
    path=STATIC_PATH,
    directories=[STATIC_DIR],
    file_system=LocalFiles(),
    cache_control=REVALIDATE,
    name="web-static",
)


@get("/config", **READERS, summary="What the dispatcher page needs before it draws")
async def web_config(posbon: Posbon) -> WebConfig:
    settings = posbon.settings
    return WebConfig(
        map_tile_url=settings.map_tile_url,
        basemap_url=BASEMAP_PATH,
        position_stale_s=settings.position_stale_s,
        unacknowledged_after_s=settings.dispatch_resend_s,
        queue_aging_s=QUEUE_AGING_S,
        time_zone=settings.time_zone,
    )


@get(
    "/basemap",
    **READERS,
    summary="Outline map of Samarkand (GeoJSON, approximate)",
    description="Main roads and the city outline, hand-drawn with approximate coordinates, so "
    "the map works with no tile server.",
    media_type=GEOJSON_MEDIA_TYPE,
)
async def basemap(posbon: Posbon) -> Response[bytes]:
    outline = with_vector_basemap(_file_bytes(BASEMAP_FILE), posbon.settings, VECTOR_BASEMAP_PATH)
    return Response(outline, media_type=GEOJSON_MEDIA_TYPE)


vector_basemap = vector_basemap_route("/basemap.pmtiles", **READERS)
router = Router(
    path="/api/v1/web", route_handlers=[web_config, basemap, vector_basemap], tags=["web"]
)
