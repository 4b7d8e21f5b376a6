"""Shapes of the direct recognition endpoints (fixed by issue 6: integrators rely on them)."""

from __future__ import annotations

import msgspec

Box = tuple[float, float, float, float]  # x, y, width, height in image pixels


class PlateOut(msgspec.Struct, frozen=True):
    text: str  # normalised: the Uzbek layout with O/0 and I/1 repaired, else cleaned
    raw: str  # as the reader read it
    confidence: float
    box: Box
    list: str | None  # "wanted" or "own" when the plate is on such a list, else null


class PlatesResponse(msgspec.Struct, frozen=True):
    plates: list[PlateOut]  # best first


class FaceMatchOut(msgspec.Struct, frozen=True):
    person_id: int
    name: str
    similarity: float


class FaceOut(msgspec.Struct, frozen=True):
    box: Box
    score: float
    match: FaceMatchOut | None


class FacesResponse(msgspec.Struct, frozen=True):
    faces: list[FaceOut]  # best detection score first


class RecognitionStatus(msgspec.Struct, frozen=True, kw_only=True):
    models_loaded: bool
    frames_waiting: int  # in the queue, bounded by recognition_queue_max
    frames_running: int
    frames_dropped: int  # since start: replaced by a newer frame or refused
    watchlist_index_loaded: bool
    plate_index_loaded: bool
