"""An evidence file over HTTP with Range, as both doors serve it: staff playback
(server/evidence/file_routes.py) and an outside party's share link (share_routes.py). Each door
decides who may read and logs the read; this module only shapes the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from litestar.response import Stream

from server.uploads.ranges import ByteRange, Unsatisfiable, parse_range

__all__ = ["ByteRange", "Unsatisfiable", "ranged_stream", "requested_span", "unsatisfiable"]


def requested_span(header: str | None, size: int) -> tuple[ByteRange, bool]:
    """The bytes to send and whether that is the whole file; raises `Unsatisfiable`."""
    span = parse_range(header, size)
    return span or ByteRange(0, size - 1), span is None


def unsatisfiable(size: int) -> Stream:
    """416, with the size the client should have asked within."""
    return Stream(iter(()), status_code=416, headers={"Content-Range": f"bytes */{size}"})


def ranged_stream(
    chunks: AsyncIterator[bytes],
    span: ByteRange,
    *,
    size: int,
    whole: bool,
    sha256: str,
    media_type: str,
    headers: Mapping[str, str] | None = None,
) -> Stream:
    """200 with the whole file or 206 with `span` of it, the file's hash as its ETag."""
    sent = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(span.length),
        "ETag": f'"{sha256}"',
        **(headers or {}),
    }
    if not whole:
        sent["Content-Range"] = f"bytes {span.start}-{span.end}/{size}"
    return Stream(chunks, status_code=200 if whole else 206, headers=sent, media_type=media_type)
