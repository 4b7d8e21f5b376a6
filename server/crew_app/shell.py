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
)
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


def shell_urls(static_dir: Path, files: Iterable[Path]) -> list[str]:
    """The URLs the worker caches: the page, the manifest, every static file, shared assets."""
    own = [f"{STATIC_URL}/{path.relative_to(static_dir).as_posix()}" for path in files]
    return [
        SHELL_URL,
        MANIFEST_URL,
        *(url for url in own if not url.endswith(".html")),
        *SHARED_ASSETS,
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
