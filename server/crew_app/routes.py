"""The crew tablet app: its shell, manifest and service worker (no token: they hold no data),
and the outline map for crews (with a token, like everything with data).

The app keeps the crew's token on the tablet and sends it itself; see README.md beside this file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from litestar import MediaType, Response, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.crew_app import shell
from server.crews import service as crews_service
from server.crews.schemas import Crew, CrewMe, OwnStatusIn
from server.http_params import AnyRequest, JSONBody
from server.state import Posbon
from server.web.local_files import LocalFiles
from server.web.policy import content_security_policy
from server.web.routes import BASEMAP_FILE, GEOJSON_MEDIA_TYPE
from server.web.routes import STATIC_DIR as WEB_STATIC_DIR
from server.web.routes import STATIC_PATH as WEB_STATIC_PATH
from server.web.shell import page_settings, with_page_settings, with_vocabulary
from server.web.vector_basemap import vector_basemap_route, with_vector_basemap

APP_DIR: Final = Path(__file__).parent
STATIC_DIR: Final = APP_DIR / "static"
WORKER_FILE: Final = APP_DIR / "sw.js"
MANIFEST_FILE: Final = APP_DIR / "manifest.webmanifest"
BASEMAP_PATH: Final = "/api/v1/crew-app/basemap"
VECTOR_BASEMAP_PATH: Final = "/api/v1/crew-app/basemap.pmtiles"
MAP_READERS: Final = allow(Role.CREW, Role.DISPATCHER, Role.ADMIN)
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


def shared_files() -> list[Path]:
    """The dispatcher's static files the app reuses (the socket client, the vendored map), which
    the dispatcher page's static route serves: their bytes count in the version too, so a
    change to the shared socket client reaches tablets like a change to their own files."""
    prefix = WEB_STATIC_PATH + "/"
    return [
        WEB_STATIC_DIR / url.removeprefix(prefix)
        for url in shell.SHARED_ASSETS
        if url.startswith(prefix)
    ]


@functools.cache
def worker_script() -> bytes:
    files = shell.shell_files(STATIC_DIR)
    contents = [_file_bytes(path) for path in [*files, *shared_files()]]
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
    # The settings are filled per request; the worker caches the page as it was last fetched
    # (network first), so a changed setting reaches a tablet on its next online start.
    page = with_page_settings(page_bytes(), page_settings(posbon.settings))
    return Response(page, media_type=MediaType.HTML, headers=headers)


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
async def crew_basemap(posbon: Posbon) -> Response[bytes]:
    outline = with_vector_basemap(_file_bytes(BASEMAP_FILE), posbon.settings, VECTOR_BASEMAP_PATH)
    return Response(outline, media_type=GEOJSON_MEDIA_TYPE)


@get("/me", **allow(Role.CREW), summary="The crew this tablet is signed in as")
async def crew_me(posbon: Posbon, request: AnyRequest) -> CrewMe:
    return await crews_service.me(posbon.db, principal_of(request))


@post(
    "/status",
    **allow(Role.CREW),
    status_code=200,
    summary="The crew sets its own status",
    description="available, out_of_service or returning; 409 crew_on_incident while the crew "
    "holds an open incident. Setting the status the crew already has changes nothing.",
)
async def crew_own_status(posbon: Posbon, request: AnyRequest, data: JSONBody[OwnStatusIn]) -> Crew:
    return await crews_service.set_own_status(posbon.db, principal_of(request), data)


crew_vector_basemap = vector_basemap_route("/basemap.pmtiles", **MAP_READERS)
router = Router(
    path="/api/v1/crew-app",
    route_handlers=[crew_basemap, crew_vector_basemap, crew_me, crew_own_status],
    tags=["crew app"],
)
shell_routes: Final[list[ControllerRouterHandler]] = [
    crew_page,
    crew_worker,
    crew_manifest,
    crew_static,
]
