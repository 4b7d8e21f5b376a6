from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from server.text import MAX_ID, NO_NUL, Text400

Name = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
PlateText = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[^\x00]*[0-9A-Za-z\u0400-\u04ff][^\x00]*$",
        min_length=2,
        max_length=32,
        description="As written, e.g. '30 A 123 BC'; compared without spaces, O as 0, I as 1.",
    ),
]
SiteId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]


class PlateListKind(enum.StrEnum):
    OWN = "own"  # plates that belong at the list's site; others there are "foreign"
    WANTED = "wanted"  # plates that raise an alert wherever they are seen (or at the site)


class PlateListIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    kind: PlateListKind
    site_id: SiteId | None = None


class PlateListPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    site_id: SiteId | msgspec.UnsetType | None = msgspec.UNSET


class PlateList(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    kind: PlateListKind
    site_id: int | None
    entries: int
    created_at: dt.datetime


class PlateEntryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    plate: PlateText
    note: Text400 = ""


class PlateEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    list_id: int
    plate: str
    folded: str
    note: str
    created_at: dt.datetime


class NotMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A reading that is not a list entry's car, as a reviewer said of a possible match: the
    reading no longer matches the entry by edits or uncertainty."""

    id: int
    list_id: int
    listed_plate: str  # the entry, folded
    read_text: str  # the reading, folded
    alert_id: int  # the alert whose "wrong" verdict taught it
    reviewer: str
    created_at: dt.datetime
