from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

import msgspec

from server.sites.schemas import Latitude, Longitude
from server.text import NO_NUL, Text100, Text2000


class CrewStatus(enum.StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    BUSY = "busy"
    OFF_DUTY = "off_duty"
    OUT_OF_SERVICE = "out_of_service"
    RETURNING = "returning"


Members = Annotated[list[Text100], msgspec.Meta(max_length=20)]


CrewName = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=100)]


class CrewIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: CrewName
    members: Members = msgspec.field(default_factory=list)
    district: Text100 = ""
    status: CrewStatus = CrewStatus.AVAILABLE
    lat: Latitude | None = None
    lon: Longitude | None = None


class CrewPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: CrewName | msgspec.UnsetType = msgspec.UNSET
    members: Members | msgspec.UnsetType = msgspec.UNSET
    district: Text100 | msgspec.UnsetType = msgspec.UNSET
    status: CrewStatus | msgspec.UnsetType = msgspec.UNSET


class Crew(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    members: list[str]
    district: str
    status: CrewStatus
    status_since: dt.datetime
    lat: float | None
    lon: float | None
    position_at: dt.datetime | None


class CrewCsvRow(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One line of `name,members,district,lat,lon`; members separated by `;`."""

    name: CrewName
    members: Text2000 = ""
    district: Text100 = ""
    lat: Latitude | None = None
    lon: Longitude | None = None


class OwnStatusIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A crew's own status, set from its tablet (`POST /api/v1/crew-app/status`)."""

    status: Literal["available", "out_of_service", "returning"]


class CrewMe(msgspec.Struct, frozen=True, kw_only=True):
    """The crew a tablet is signed in as."""

    crew_id: int
    name: str
    members: list[str]
    status: CrewStatus
