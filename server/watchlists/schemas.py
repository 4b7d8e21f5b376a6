from __future__ import annotations

import datetime as dt
from typing import Annotated, Final

import msgspec

from recognition.watchlist import DEFAULT_MATCH_THRESHOLD, OPERATING_POINTS
from server.text import NO_NUL, Text2000

Name = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
Threshold = Annotated[
    float,
    msgspec.Meta(
        ge=0.3,
        le=0.95,
        description="Cosine similarity a face must reach to match; 0.5 raised no false alarm "
        "on AT&T (40 people). Lower finds more and alarms more: see false_alarm_rate.",
    ),
]
MIN_THRESHOLD: Final = 0.3


class WatchlistIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    description: Text2000 = ""
    threshold: Threshold = DEFAULT_MATCH_THRESHOLD


class WatchlistPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Text2000 | msgspec.UnsetType = msgspec.UNSET
    threshold: Threshold | msgspec.UnsetType = msgspec.UNSET


class Watchlist(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    description: str
    threshold: float
    false_alarm_rate: float | None  # measured at the nearest lower threshold: an upper bound
    measured_on: str
    persons: int
    photos: int
    created_at: dt.datetime


class PersonIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    note: Text2000 = ""


class PersonPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    note: Text2000 | msgspec.UnsetType = msgspec.UNSET


class Person(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    watchlist_id: int
    name: str
    note: str
    photos: int
    negatives: int
    created_at: dt.datetime


class Photo(msgspec.Struct, frozen=True, kw_only=True):
    """An enrolled face: the embedding is stored, the photo is not."""

    id: int
    person_id: int
    negative: bool
    face_box: tuple[float, float, float, float]
    face_score: float
    face_width_px: float
    faces_in_photo: int


def operating_point(threshold: float) -> tuple[float | None, str]:
    """The false-alarm rate measured at the highest documented threshold not above this one
    (false alarms only fall as the threshold rises, so it bounds this one's from above)."""
    below = [p for p in OPERATING_POINTS if p.threshold <= threshold + 1e-9]
    if not below:
        return None, "not measured below the lowest documented threshold"
    point = max(below, key=lambda p: p.threshold)
    return point.false_alarm_rate, f"at {point.threshold}: {point.measured_on}"
