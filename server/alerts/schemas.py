from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Final

import msgspec

from server.sites.schemas import Latitude, Longitude, SiteRef
from server.text import MAX_ID, Text400, Text2000


class AlertKind(enum.StrEnum):
    panic = "panic"
    sos = "sos"
    fire = "fire"
    medical = "medical"
    intrusion = "intrusion"
    duress = "duress"
    face_match = "face_match"
    plate_wanted = "plate_wanted"
    plate_foreign = "plate_foreign"
    tamper = "tamper"
    trouble = "trouble"
    device_offline = "device_offline"
    device_online = "device_online"
    test = "test"
    other = "other"
    unknown = "unknown"


DEFAULT_PRIORITY: Final[dict[AlertKind, int]] = {
    AlertKind.panic: 1,
    AlertKind.sos: 1,
    AlertKind.fire: 1,
    AlertKind.medical: 1,
    AlertKind.duress: 1,
    AlertKind.intrusion: 2,
    AlertKind.face_match: 2,
    AlertKind.plate_wanted: 2,
    AlertKind.plate_foreign: 3,
    AlertKind.tamper: 3,
    AlertKind.trouble: 3,
    AlertKind.device_offline: 3,
    AlertKind.device_online: 4,
    AlertKind.unknown: 3,
    AlertKind.other: 3,
    AlertKind.test: 4,
}

Priority = Annotated[int, msgspec.Meta(ge=1, le=4, description="1 is the most urgent.")]


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
    details: dict[str, Any] = msgspec.field(default_factory=dict)


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
