"""tus 1.0 rules that need no I/O: versions, headers, metadata, checksums, the upload states.

Errors carry the HTTP status the tus spec names for them; the routes only translate.

    TusError
    ├── VersionUnsupported   412  Tus-Resumable is not 1.0.0
    ├── BadHeader            400  a header is missing or malformed, or an unknown checksum algorithm
    ├── WrongContentType     415  PATCH without application/offset+octet-stream
    ├── OffsetMismatch       409  Upload-Offset is not the stored offset
    ├── TooLarge             413  Upload-Length over Tus-Max-Size, or data past Upload-Length
    ├── UploadGone           404/410  unknown, terminated or expired upload
    └── ChecksumMismatch     460  the chunk's checksum is wrong; the chunk is discarded
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
from collections.abc import Mapping
from typing import ClassVar, Final

import msgspec

TUS_VERSION: Final = "1.0.0"
EXTENSIONS: Final = "creation,creation-with-upload,checksum,termination,expiration"
CHECKSUM_ALGORITHMS: Final = ("sha256", "sha1")
OCTET_STREAM: Final = "application/offset+octet-stream"
CHECKSUM_MISMATCH_STATUS: Final = 460


class UploadState(enum.StrEnum):
    RECEIVING = "receiving"
    VERIFIED = "verified"
    QUARANTINED = "quarantined"
    TERMINATED = "terminated"


class TusError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "tus_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class VersionUnsupported(TusError):
    status_code = 412
    code = "tus_version"


class BadHeader(TusError):
    status_code = 400
    code = "bad_header"


class WrongContentType(TusError):
    status_code = 415
    code = "wrong_content_type"


class OffsetMismatch(TusError):
    status_code = 409
    code = "offset_mismatch"


class TooLarge(TusError):
    status_code = 413
    code = "too_large"


class UploadGone(TusError):
    status_code = 404
    code = "upload_not_found"


class UploadExpired(UploadGone):
    status_code = 410
    code = "upload_expired"


class ChecksumMismatch(TusError):
    status_code = CHECKSUM_MISMATCH_STATUS
    code = "checksum_mismatch"


class Checksum(msgspec.Struct, frozen=True):
    algorithm: str
    digest: bytes

    def hasher(self) -> hashlib._Hash:
        return hashlib.new(self.algorithm)


def require_version(headers: Mapping[str, str]) -> None:
    version = headers.get("tus-resumable")
    if version != TUS_VERSION:
        raise VersionUnsupported(f"Send Tus-Resumable: {TUS_VERSION} (got {version!r}).")


def parse_int(headers: Mapping[str, str], name: str) -> int:
    raw = headers.get(name.lower())
    if raw is None or not raw.isdigit() or len(raw) > 18:
        raise BadHeader(f"{name} must be a non-negative integer (got {raw!r}).")
    return int(raw)


def parse_metadata(raw: str | None) -> dict[str, str]:
    """`key base64value, key2 base64value2`; a key may come without a value."""
    found: dict[str, str] = {}
    for pair in (raw or "").split(","):
        if not pair.strip():
            continue
        key, _, encoded = pair.strip().partition(" ")
        try:
            found[key] = base64.b64decode(encoded, validate=True).decode() if encoded else ""
        except (binascii.Error, UnicodeDecodeError) as err:
            raise BadHeader(f"Upload-Metadata value for {key!r} is not base64 text.") from err
    return found


def parse_checksum(raw: str | None) -> Checksum | None:
    if raw is None:
        return None
    algorithm, _, encoded = raw.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise BadHeader(f"Unsupported checksum algorithm {algorithm!r}; use sha256 or sha1.")
    try:
        return Checksum(algorithm, base64.b64decode(encoded, validate=True))
    except binascii.Error as err:
        raise BadHeader("Upload-Checksum must be '<algorithm> <base64 digest>'.") from err


def check_patch(headers: Mapping[str, str], stored_offset: int) -> int:
    """Validate a PATCH's headers; returns the offset the client claims (== stored)."""
    content_type = headers.get("content-type", "").split(";")[0].strip()
    if content_type != OCTET_STREAM:
        raise WrongContentType(f"PATCH bodies must be {OCTET_STREAM}.")
    claimed = parse_int(headers, "Upload-Offset")
    if claimed != stored_offset:
        raise OffsetMismatch(
            f"Upload-Offset {claimed} does not match the stored offset {stored_offset}; "
            "send HEAD to learn where to resume."
        )
    return claimed
