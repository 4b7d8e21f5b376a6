"""Image request bodies (a JPEG or PNG as the whole body), checked before any work is queued.

Camera frames, watchlist photos and recognition requests arrive this way. Infrastructure beside
server.http_params (which server.errors imports, so this check, which raises API errors, cannot
live there without a loop).
"""

from __future__ import annotations

from typing import Final

from server.errors import BadRequest, PayloadTooLarge
from server.http_params import AnyRequest

MAX_IMAGE_BYTES: Final = 8 * 1024 * 1024
_SIGNATURES: Final = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


async def image_body(request: AnyRequest) -> bytes:
    body = await request.body()
    if not body:
        raise BadRequest("Send the image as the request body (image/jpeg).", code="no_image")
    if len(body) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(f"An image may be at most {MAX_IMAGE_BYTES} bytes.")
    if not body.startswith(_SIGNATURES):
        raise BadRequest("The body is not a JPEG or PNG image.", code="invalid_image")
    return body
