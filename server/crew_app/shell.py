"""What the crew app's service worker must cache, and the version that names that cache.

The worker script is a template: the server fills in the list of shell files and a digest of
their bytes, so any change to a shell file changes the worker's bytes, the browser installs
the new worker, and tablets pick up a release on their next online start.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Final

SHELL_URL: Final = "/crew/"
STATIC_URL: Final = "/crew/static"
MANIFEST_URL: Final = "/crew/manifest.webmanifest"
# The dispatcher's vendored Leaflet, reused rather than copied.
SHARED_ASSETS: Final = (
    "/static/vendor/leaflet/leaflet-src.esm.js",
    "/static/vendor/leaflet/leaflet.css",
    # The one socket client both apps use (server/web/static/shared/), and its overlay.
    "/static/shared/socket.js",
    "/static/shared/disconnected.js",
    "/static/shared/disconnected.css",
    # The words both apps' catalogs share (statuses, outcomes, kinds, crew statuses).
    "/static/shared/catalog.js",
    # The vector basemap shared by both apps' maps (server/web/static/shared/vector-map.js).
    "/static/shared/vector-map.js",
)
# The vector basemap's browser side (scripts/vendor_maplibre.sh): MapLibre, the PMTiles protocol,
# the style's layers and its fonts, cached whole from the dispatcher's vendor folder.
VENDOR_DIR: Final = Path(__file__).parents[1] / "web" / "static" / "vendor"
VENDOR_URL: Final = "/static/vendor"
MAP_FOLDERS: Final = ("maplibre-gl", "pmtiles", "fflate", "protomaps-basemaps", "fonts")
MAP_SUFFIXES: Final = frozenset({".js", ".mjs", ".css", ".json", ".woff2"})
CACHED_SUFFIXES: Final = frozenset({".js", ".css", ".svg", ".html"})
FILES_MARK: Final = "__SHELL_FILES__"
VERSION_MARK: Final = "__SHELL_VERSION__"
VERSION_CHARS: Final = 16


def shell_files(static_dir: Path) -> list[Path]:
    """The static files the app needs to start, in a stable order (the page itself aside)."""
    return sorted(
        path
        for path in static_dir.rglob("*")
        if path.is_file() and path.suffix in CACHED_SUFFIXES and path.name != "sw.js"
    )


def map_assets() -> list[str]:
    """The vendored map files the app loads when a vector basemap is configured, as URLs."""
    return [
        f"{VENDOR_URL}/{path.relative_to(VENDOR_DIR).as_posix()}"
        for folder in MAP_FOLDERS
        for path in sorted((VENDOR_DIR / folder).iterdir())
        if path.is_file() and path.suffix in MAP_SUFFIXES
    ]


def shell_urls(static_dir: Path, files: Iterable[Path]) -> list[str]:
    """The URLs the worker caches: the page, the manifest, every static file, shared assets."""
    own = [f"{STATIC_URL}/{path.relative_to(static_dir).as_posix()}" for path in files]
    return [
        SHELL_URL,
        MANIFEST_URL,
        *(url for url in own if not url.endswith(".html")),
        *SHARED_ASSETS,
        *map_assets(),
    ]


def shell_version(contents: Iterable[bytes]) -> str:
    """A digest of every shell file's bytes: equal releases, equal versions."""
    digest = hashlib.sha256()
    for content in contents:
        digest.update(len(content).to_bytes(8, "big"))
        digest.update(content)
    return digest.hexdigest()[:VERSION_CHARS]


def render_worker(template: str, urls: list[str], version: str) -> str:
    """The worker script with its cache list and version filled in."""
    return template.replace(FILES_MARK, json.dumps(urls)).replace(VERSION_MARK, version)
