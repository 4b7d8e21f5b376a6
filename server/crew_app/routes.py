"""The crew tablet app: its shell, manifest and service worker (no token: they hold no data),
and the outline map for crews (with a token, like everything with data).

The app keeps the crew's token on the tablet and sends it itself; see README.md beside this file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from litestar import MediaType, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from server.auth.guards import allow
from server.auth.schemas import Role
from server.crew_app import shell
from server.state import Posbon
from server.web.local_files import LocalFiles
from server.web.policy import content_security_policy
from server.web.routes import BASEMAP_FILE, GEOJSON_MEDIA_TYPE
from server.web.shell import with_vocabulary

APP_DIR: Final = Path(__file__).parent
STATIC_DIR: Final = APP_DIR / "static"
WORKER_FILE: Final = APP_DIR / "sw.js"
MANIFEST_FILE: Final = APP_DIR / "manifest.webmanifest"
BASEMAP_PATH: Final = "/api/v1/crew-app/basemap"
MANIFEST_MEDIA_TYPE: Final = "application/manifest+json"
JAVASCRIPT_MEDIA_TYPE: Final = "text/javascript; charset=utf-8"
# Revalidate every time: the worker, not the HTTP cache, keeps the offline copy.
REVALIDATE: Final = CacheControlHeader(no_cache=True)
SHELL_PATHS: Final = ("^/crew$", "^/crew/")
"""Path patterns that need no token (app.py's UNAUTHENTICATED takes them)."""


@functools.cache
def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


@functools.cache
def page_bytes() -> bytes:
    """index.html with the incident vocabulary filled in."""
    return with_vocabulary(_file_bytes(STATIC_DIR / "index.html"))


@functools.cache
def worker_script() -> bytes:
    files = shell.shell_files(STATIC_DIR)
    contents = [_file_bytes(path) for path in files]
    version = shell.shell_version([*contents, page_bytes(), _file_bytes(MANIFEST_FILE)])
    urls = shell.shell_urls(STATIC_DIR, files)
    return shell.render_worker(_file_bytes(WORKER_FILE).decode(), urls, version).encode()


@get("/crew", include_in_schema=False, cache_control=REVALIDATE)
async def crew_page(posbon: Posbon) -> Response[bytes]:
    """The tablet app's page; it asks for the crew token before it loads anything else."""
    headers = {
        "Content-Security-Policy": content_security_policy(posbon.settings.map_tile_url),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(page_bytes(), media_type=MediaType.HTML, headers=headers)


@get("/crew/sw.js", include_in_schema=False, cache_control=REVALIDATE)
async def crew_worker() -> Response[bytes]:
    """The service worker; served from /crew/ so its scope is the app."""
    return Response(worker_script(), media_type=JAVASCRIPT_MEDIA_TYPE)


@get("/crew/manifest.webmanifest", include_in_schema=False, cache_control=REVALIDATE)
async def crew_manifest() -> Response[bytes]:
    return Response(_file_bytes(MANIFEST_FILE), media_type=MANIFEST_MEDIA_TYPE)


crew_static = create_static_files_router(
    path=shell.STATIC_URL,
    directories=[STATIC_DIR],
    file_system=LocalFiles(),
    cache_control=REVALIDATE,
    name="crew-static",
)


@get(
    "/basemap",
    **allow(Role.CREW, Role.DISPATCHER, Role.ADMIN),
    summary="Outline map of Samarkand for crew tablets (GeoJSON, approximate)",
    media_type=GEOJSON_MEDIA_TYPE,
)
async def crew_basemap() -> Response[bytes]:
    return Response(_file_bytes(BASEMAP_FILE), media_type=GEOJSON_MEDIA_TYPE)


router = Router(path="/api/v1/crew-app", route_handlers=[crew_basemap], tags=["crew app"])
shell_routes: Final[list[ControllerRouterHandler]] = [
    crew_page,
    crew_worker,
    crew_manifest,
    crew_static,
]
