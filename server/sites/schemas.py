from __future__ import annotations

from typing import Annotated

import msgspec

from server.text import NO_NUL, Text40, Text100, Text400

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Name = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]


class SiteIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    kind: Text40 = "other"
    address: Text400 = ""
    district: Text100 = ""
    lat: Latitude | None = None
    lon: Longitude | None = None


class SitePatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: Text40 | msgspec.UnsetType = msgspec.UNSET
    address: Text400 | msgspec.UnsetType = msgspec.UNSET
    district: Text100 | msgspec.UnsetType = msgspec.UNSET
    lat: Latitude | msgspec.UnsetType | None = msgspec.UNSET
    lon: Longitude | msgspec.UnsetType | None = msgspec.UNSET


class Site(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    kind: str
    address: str
    district: str
    lat: float | None
    lon: float | None


class SiteRef(msgspec.Struct, frozen=True, kw_only=True):
    """How a site appears inside an alert or incident."""

    id: int | None = None
    name: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
