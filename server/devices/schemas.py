from __future__ import annotations

import enum
from typing import Annotated

import msgspec

from server.sites.schemas import Latitude, Longitude
from server.text import MAX_ID, Text40, Text128, Text200, Text400

Account = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$")]
AES_KEY_BYTES = (16, 24, 32)


class Protocol(enum.StrEnum):
    DC09 = "dc09"
    OSMAND = "osmand"
    GT06 = "gt06"
    TELTONIKA = "teltonika"
    HTTP = "http"
    MQTT = "mqtt"


class KeyFormat(enum.StrEnum):
    HEX = "hex"
    ASCII = "ascii"


class DeviceIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    account: Account
    protocol: Protocol = Protocol.DC09
    kind: Text40 = "panic_button"
    site_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    crew_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    """A crew's phone or tablet (OsmAnd, GT06): its positions move the crew."""
    key: Text128 = ""
    key_format: KeyFormat = KeyFormat.HEX
    encrypted: bool = False
    supervision_s: Annotated[int, msgspec.Meta(ge=0, le=7 * 86400)] = 0


class DevicePatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Text40 | msgspec.UnsetType = msgspec.UNSET
    site_id: int | msgspec.UnsetType | None = msgspec.UNSET
    crew_id: int | msgspec.UnsetType | None = msgspec.UNSET
    key: Text128 | msgspec.UnsetType = msgspec.UNSET
    key_format: KeyFormat | msgspec.UnsetType = msgspec.UNSET
    encrypted: bool | msgspec.UnsetType = msgspec.UNSET
    supervision_s: Annotated[int, msgspec.Meta(ge=0, le=7 * 86400)] | msgspec.UnsetType = (
        msgspec.UNSET
    )


class Device(msgspec.Struct, frozen=True, kw_only=True):
    """A device as the API shows it: the key itself is never returned."""

    id: int
    account: str
    protocol: Protocol
    kind: str
    site_id: int | None
    crew_id: int | None
    has_key: bool
    key_format: KeyFormat
    encrypted: bool
    supervision_s: int
    online: bool


class DeviceCsvRow(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One line of the devices CSV (header: see `server.devices.imports.DEVICE_COLUMNS`)."""

    account: Account
    protocol: Protocol = Protocol.DC09
    kind: Text40 = "panic_button"
    site: Text200 = ""
    address: Text400 = ""
    lat: Latitude | None = None
    lon: Longitude | None = None
    key: Text128 = ""
    key_format: KeyFormat = KeyFormat.HEX
    encrypted: bool = False
    supervision_s: Annotated[int, msgspec.Meta(ge=0, le=7 * 86400)] = 0


def key_problem(key: str, key_format: KeyFormat, *, encrypted: bool) -> str | None:
    """Why this key cannot be used for AES, or None when it can (or none is needed)."""
    if not key:
        return "an encrypted device needs a key" if encrypted else None
    if key_format is KeyFormat.ASCII:
        size = len(key.encode())
    else:
        try:
            size = len(bytes.fromhex(key))
        except ValueError:
            return "key_format is hex but the key is not hexadecimal"
    if size not in AES_KEY_BYTES:
        return f"an AES key is 16, 24 or 32 bytes; this one is {size}"
    return None
