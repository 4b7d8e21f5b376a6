from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Final

import msgspec

from server.sites.schemas import Latitude, Longitude, SiteRef
from server.text import MAX_ID, Text400, Text2000


class AlertKind(enum.StrEnum):
    PANIC = "panic"
    SOS = "sos"
    FIRE = "fire"
    MEDICAL = "medical"
    INTRUSION = "intrusion"
    DURESS = "duress"
    FACE_MATCH = "face_match"
    PLATE_WANTED = "plate_wanted"
    PLATE_FOREIGN = "plate_foreign"
    TAMPER = "tamper"
    TROUBLE = "trouble"
    DEVICE_OFFLINE = "device_offline"
    DEVICE_ONLINE = "device_online"
    TEST = "test"
    LATE_TO_CLOSE = "late_to_close"
    UNEXPECTED_OPEN = "unexpected_open"
    EARLY_CLOSE = "early_close"
    OTHER = "other"
    UNKNOWN = "unknown"


DEFAULT_PRIORITY: Final[dict[AlertKind, int]] = {
    AlertKind.PANIC: 1,
    AlertKind.SOS: 1,
    AlertKind.FIRE: 1,
    AlertKind.MEDICAL: 1,
    AlertKind.DURESS: 1,
    AlertKind.INTRUSION: 2,
    AlertKind.FACE_MATCH: 2,
    AlertKind.PLATE_WANTED: 2,
    AlertKind.PLATE_FOREIGN: 3,
    AlertKind.TAMPER: 3,
    AlertKind.TROUBLE: 3,
    AlertKind.DEVICE_OFFLINE: 3,
    AlertKind.DEVICE_ONLINE: 4,
    AlertKind.UNKNOWN: 3,
    AlertKind.OTHER: 3,
    AlertKind.TEST: 4,
    AlertKind.LATE_TO_CLOSE: 3,  # call the key-holder: nobody armed the site
    AlertKind.UNEXPECTED_OPEN: 2,  # disarmed when nobody should be there: a code may be stolen
    AlertKind.EARLY_CLOSE: 3,
}

Priority = Annotated[int, msgspec.Meta(ge=1, le=4, description="1 is the most urgent.")]

MAX_ALERT_BODY_BYTES: Final = 64 * 1024
"""A raised alert's whole request body; an alert is a few short fields and some context."""
MAX_DETAILS_BYTES: Final = 16 * 1024
"""`details` as JSON: it is stored, and sent on to every dispatcher's screen with the alert."""
MAX_DETAILS_DEPTH: Final = 8
"""Nesting levels of `details`, itself the first: context, not a document."""


class AlertIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: AlertKind
    priority: Priority | None = None
    site_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    address: Text400 = ""
    description: Text2000 = ""
    occurred_at: dt.datetime | None = None
    external_id: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=200,
                description="The sender's own id: a retry with it creates nothing new.",
            ),
        ]
        | None
    ) = None
    details: Annotated[
        dict[str, Any],
        msgspec.Meta(
            description=f"Free-form context: at most {MAX_DETAILS_BYTES} bytes as JSON and "
            f"{MAX_DETAILS_DEPTH} levels deep."
        ),
    ] = msgspec.field(default_factory=dict)


class Alert(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: AlertKind
    priority: int
    source: str
    site: SiteRef
    occurred_at: dt.datetime
    received_at: dt.datetime
    incident_id: int | None
    description: str
    external_id: str | None
    device_id: int | None
    details: dict[str, Any]
