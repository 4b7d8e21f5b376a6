"""The vector basemap: one local PMTiles file (`--basemap`), served to both apps by byte range.

The browser side (MapLibre with the `pmtiles` protocol, vendored under static/vendor/) reads the
archive's header and directories and then each tile with HTTP Range requests on one URL, so the
server needs no tile index: it answers `bytes=START-END` on the file, as a static file server
would, under the caller's token. Each app's outline route names this URL in the GeoJSON it
already serves (`posbon_vector_basemap`), so a page learns of the basemap from what it loads
anyway, and its copy of the outline keeps the name while the tablet is offline.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import anyio
import msgspec
from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.status_codes import HTTP_200_OK, HTTP_206_PARTIAL_CONTENT

from server.errors import ApiError
from server.http_params import AnyRequest
from server.settings import Settings
from server.state import Posbon

PMTILES_MEDIA_TYPE: Final = "application/vnd.pmtiles"
MAX_RANGE_BYTES: Final = 32 * 1024 * 1024
"""A PMTiles reader asks for a header (16 KiB), a directory or one tile: far below this."""
OUTLINE_MEMBER: Final = "posbon_vector_basemap"
ATTRIBUTION: Final = "© OpenStreetMap contributors"
_RANGE: Final = re.compile(r"bytes=(\d*)-(\d*)")
# Revalidated (ETag) on every load: a new file under the same name is never mixed with the old.
REVALIDATE: Final = CacheControlHeader(no_cache=True)


class RangeNotSatisfiable(ApiError):
    status_code = 416
    code = "range_not_satisfiable"


@dataclass(frozen=True, slots=True)
class Slice:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str, size: int) -> Slice:
    """One `bytes=` range of a file of `size` bytes (RFC 9110 §14.1.2); several ranges, a range
    past the end or one too large for a single answer is refused."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or size == 0:
        raise RangeNotSatisfiable("Only one byte range of the basemap is served per request.")
    first, last = match.groups()
    if first == "" and last == "":
        raise RangeNotSatisfiable("An empty byte range was asked for.")
    if first == "":  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start = int(first)
        end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or end < start:
        raise RangeNotSatisfiable(f"The basemap has {size} bytes; that range lies outside it.")
    if end - start + 1 > MAX_RANGE_BYTES:
        raise RangeNotSatisfiable(f"At most {MAX_RANGE_BYTES} bytes are served per request.")
    return Slice(start, end)


def basemap_path(settings: Settings) -> Path | None:
    """The configured archive, or None when there is none (the outline map is drawn then)."""
    return Path(settings.basemap) if settings.basemap else None


def with_vector_basemap(outline: bytes, settings: Settings, url: str) -> bytes:
    """The outline GeoJSON, naming the vector basemap's URL when one is configured (a foreign
    member, which GeoJSON readers ignore)."""
    if basemap_path(settings) is None:
        return outline
    document = msgspec.json.decode(outline)
    document[OUTLINE_MEMBER] = {"url": url, "attribution": ATTRIBUTION}
    return msgspec.json.encode(document)


def _etag(stat: os.stat_result) -> str:
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


def _read(path: Path, start: int, length: int) -> bytes:
    with path.open("rb") as file:
        file.seek(start)
        return file.read(length)


async def range_response(path: Path | None, range_header: str | None) -> Response[bytes]:
    """The archive's bytes: the asked range (206), or the whole file (200) without one."""
    if path is None:
        raise NotFoundException("No vector basemap is configured (--basemap).")
    try:
        stat = await anyio.Path(path).stat()
    except OSError as error:
        raise NotFoundException("The configured vector basemap cannot be read.") from error
    size = stat.st_size
    headers = {"Accept-Ranges": "bytes", "ETag": _etag(stat)}
    if range_header is None:
        if size > MAX_RANGE_BYTES:
            raise RangeNotSatisfiable("The basemap is read by byte range (a Range header).")
        body = await anyio.to_thread.run_sync(_read, path, 0, size)
        return Response(
            body, status_code=HTTP_200_OK, media_type=PMTILES_MEDIA_TYPE, headers=headers
        )
    part = parse_range(range_header, size)
    body = await anyio.to_thread.run_sync(_read, path, part.start, part.length)
    headers["Content-Range"] = f"bytes {part.start}-{part.end}/{size}"
    return Response(
        body, status_code=HTTP_206_PARTIAL_CONTENT, media_type=PMTILES_MEDIA_TYPE, headers=headers
    )


def vector_basemap_route(path: str, **guards: Any) -> HTTPRouteHandler:
    """The GET route of one app that serves the archive by range, under that app's guards."""

    async def vector_basemap(posbon: Posbon, request: AnyRequest) -> Response[bytes]:
        return await range_response(basemap_path(posbon.settings), request.headers.get("range"))

    return get(
        path,
        **guards,
        summary="Vector basemap (PMTiles), by HTTP byte range",
        description="The `--basemap` archive; 404 when none is configured (the outline map is "
        "drawn then), 416 for more than one range or one outside the file.",
        media_type=PMTILES_MEDIA_TYPE,
        cache_control=REVALIDATE,
    )(vector_basemap)
