"""What a court package says about itself: the manifest, the one schema both the builder
(package.py) and the offline check (package_verify.py) read.

The manifest is canonical JSON: keys sorted (Struct fields too), two-space indentation, one
final newline, so the same facts always give the same bytes and a one-line change shows as one
line in a diff. Its signature (`manifest.json.sig`, Ed25519, detached) covers exactly those
bytes; every other file in the package is vouched for by its SHA-256 and size listed here.

Layout of a package:

    README.txt                      how to verify (listed in the manifest, so it is signed too)
    manifest.json                   this
    manifest.json.sig               64-byte Ed25519 signature of manifest.json
    signing-key.pub                 the public key (PEM); its fingerprint is in the manifest
    items/<recording id>/original.<ext>   or redacted.<ext> for a redacted derivative
    items/<recording id>/custody.csv      the custody log, as `posbon` exports it
    items/<recording id>/custody.pdf      the same log, printable
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final

import msgspec

FORMAT: Final = "posbon-evidence-package/1"
MANIFEST_NAME: Final = "manifest.json"
SIGNATURE_NAME: Final = "manifest.json.sig"
PUBLIC_KEY_NAME: Final = "signing-key.pub"
README_NAME: Final = "README.txt"
UNLISTED: Final = frozenset({MANIFEST_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME})
"""The files the manifest cannot list: itself, and what vouches for it."""


class FileRole(enum.StrEnum):
    ORIGINAL = "original"
    REDACTED = "redacted"
    DERIVATIVE = "derivative"  # derived some other way (a clip)
    CUSTODY_CSV = "custody_csv"
    CUSTODY_PDF = "custody_pdf"
    README = "readme"


class PackageFile(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    sha256: str
    size_bytes: int
    role: FileRole
    recording_id: str | None = None


class DeviceFacts(msgspec.Struct, frozen=True, kw_only=True):
    """The camera as it described itself when the recording was synced."""

    device_id: str | None = None
    serial: str | None = None
    model: str | None = None
    firmware_version: str | None = None


class CameraFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the camera measured about the recording (sync/recordings.py RecordingFacts)."""

    file_name: str | None = None
    recorded_start: dt.datetime | None = None
    recorded_stop: dt.datetime | None = None
    duration_s: float | None = None
    timezone: str | None = None
    container: str | None = None
    codec: str | None = None
    resolution: str | None = None
    fps: float | None = None
    activation_trigger: str | None = None
    device_sha256: str | None = None
    """The SHA-256 the camera reported before the upload."""


class CustodySummary(msgspec.Struct, frozen=True, kw_only=True):
    entries: int
    head_hash: str
    """The hash of the last entry at export time; the CSV's chain must end in it."""
    verified_sha256: str | None
    """The SHA-256 of the server's `verified` entry, which the file must have."""
    csv: str
    pdf: str


class PackageItem(msgspec.Struct, frozen=True, kw_only=True):
    recording_id: str
    role: FileRole
    file: str | None
    """Its path in the package; None when the bytes were deleted at the end of retention."""
    sha256: str | None
    size_bytes: int | None
    deleted: bool = False
    derived_from: str | None = None
    derivation: str | None = None
    camera: CameraFacts
    device: DeviceFacts
    owner: str | None
    """Who synced the recording's metadata: `token:<id>` or `crew:<id>`."""
    owner_name: str | None
    """That token's or crew's name."""
    uploader: str | None
    """Who uploaded the verified file, as the custody log names actors (`role:name`);
    `server` for a derivative the server rendered."""
    station: str | None
    """The upload station's name when a station uploaded it."""
    categories: list[str] = msgspec.field(default_factory=list)
    custody: CustodySummary


class IncidentFacts(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    title: str
    status: str
    priority: int
    site_id: int | None
    site_name: str
    site_address: str
    lat: float | None
    lon: float | None
    created_at: dt.datetime
    closed_at: dt.datetime | None


class SigningKeyFacts(msgspec.Struct, frozen=True, kw_only=True):
    algorithm: str
    fingerprint: str
    """SHA-256 of the raw public key, hex (server/evidence/signing.py)."""
    file: str = PUBLIC_KEY_NAME


class PackageManifest(msgspec.Struct, frozen=True, kw_only=True):
    format: str = FORMAT
    incident: IncidentFacts
    exported_at: dt.datetime
    exported_by: str
    signing_key: SigningKeyFacts
    items: list[PackageItem]
    files: list[PackageFile]


_encoder: Final = msgspec.json.Encoder(order="sorted")
_decoder: Final = msgspec.json.Decoder(PackageManifest)


def encode_manifest(manifest: PackageManifest) -> bytes:
    return msgspec.json.format(_encoder.encode(manifest), indent=2) + b"\n"


def decode_manifest(data: bytes) -> PackageManifest:
    """Raises msgspec.DecodeError (a ValidationError too) when it is not a manifest."""
    return _decoder.decode(data)
