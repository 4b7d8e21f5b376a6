"""The page's Content-Security-Policy: scripts, styles and sockets only from Posbon itself.

Map tiles are the one thing a deployment may fetch from elsewhere, so the tile server's origin
(from `map_tile_url`) is the only foreign source added, and only to `img-src`.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

BASE_POLICY: Final = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
TILE_SCHEMES: Final = frozenset({"http", "https"})


def tile_origin(map_tile_url: str) -> str | None:
    """`https://{s}.tile.example.org/{z}/{x}/{y}.png` → `https://*.tile.example.org`."""
    parts = urlsplit(map_tile_url.strip())
    if parts.scheme not in TILE_SCHEMES or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    if any(mark in host for mark in "{}; '\""):
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(map_tile_url: str) -> str:
    images = ["img-src 'self' data: blob:"]
    origin = tile_origin(map_tile_url)
    if origin is not None:
        images.append(origin)
    return "; ".join([*BASE_POLICY, " ".join(images)])
