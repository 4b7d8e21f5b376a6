"""What runs in the recognition thread for one frame or request: models, matching, crops.

Everything here is synchronous and CPU-bound; the event loop only sees the results. A crop is
cut only for a face or plate that matched a list: crops of everyone else are never made, so they
cannot be kept by mistake.
"""

from __future__ import annotations

from typing import Final

import msgspec
import numpy as np

from recognition.engine import FaceResult, Recognizer, crop_jpeg
from recognition.face_quality import shot_score
from recognition.faces import ImageArray
from recognition.images import decode_image
from recognition.plate_format import clean
from recognition.plates import PlateReading
from recognition.runner import FloatArray
from server.alerts.schemas import AlertKind
from server.plates.index import ListedPlate, PlateIndex
from server.plates.reads import FrameRead
from server.plates.schemas import PlateListKind
from server.recognition.schemas import (
    Box,
    FaceMatchOut,
    FaceOut,
    FacesResponse,
    PlateOut,
    PlatesResponse,
)
from server.watchlists.index import WatchlistHit, WatchlistIndex, to_bytes

FACE_CROP_MARGIN: Final = 0.5
PLATE_CROP_MARGIN: Final = 1.0
"""Plates are small: a crop of twice their size shows the car's front as well."""
MIN_FOREIGN_PLATE_CHARS: Final = 4
"""Shorter readings are fragments (a sticker, half a plate), not a foreign car."""


class MatchRules(msgspec.Struct, frozen=True, kw_only=True):
    faces: bool
    plates: bool
    site_id: int | None
    face_threshold: float | None
    plate_max_edits: int
    plate_min_confidence: float


class FaceHit(msgspec.Struct, frozen=True, kw_only=True):
    hit: WatchlistHit
    box: Box
    score: float
    crop: bytes
    embedding: bytes
    shot_score: float = 1.0
    """How good a shot of the person this is (area x sharpness x frontalness): a camera's alert
    keeps the best of the frames that confirmed it (recognition.stream_sense)."""


class PlateHit(msgspec.Struct, frozen=True, kw_only=True):
    kind: AlertKind  # plate_wanted or plate_foreign
    text: str
    display: str
    raw: str
    confidence: float
    box: Box
    listed: ListedPlate | None
    crop: bytes
    uncertain: tuple[int, ...] = ()  # positions of ``text`` the reader was unsure of

    @property
    def possible(self) -> bool:
        """Listed, but not as read: an edit away, or off where the reader was unsure. Such an
        alert is a possible match, one priority step below a sure one."""
        return self.listed is not None and self.listed.distance > 0

    @property
    def subject(self) -> str:
        """The cooldown key: the list entry for a wanted plate, the reading for a foreign one."""
        if self.listed is not None:
            return f"plate:{self.listed.list_id}:{clean(self.listed.plate)}"
        return f"plate:foreign:{self.text}"


class FrameAnalysis(msgspec.Struct, frozen=True, kw_only=True):
    faces: int
    plates: list[str]
    face_hits: list[FaceHit]
    plate_hits: list[PlateHit]
    plate_reads: list[FrameRead] = msgspec.field(default_factory=list)
    """Every plate read, listed or not, for the plate read log."""


def rounded(box: tuple[float, ...]) -> Box:
    x, y, width, height = (round(v, 1) for v in box)
    return (x, y, width, height)


def _face_hits(
    recognizer: Recognizer, watchlists: WatchlistIndex, image: ImageArray, rules: MatchRules
) -> tuple[int, list[FaceHit]]:
    results = recognizer.faces(image)
    embedded = [r for r in results if r.embedding is not None]
    if not embedded:
        return len(results), []
    probes = _probes(embedded)
    hits = []
    for result, hit in zip(
        embedded, watchlists.match(probes, threshold=rules.face_threshold), strict=True
    ):
        if hit is None or result.embedding is None:
            continue  # not on a list: no crop is made
        hits.append(
            FaceHit(
                hit=hit,
                box=rounded(result.face.box),
                score=round(result.face.score, 4),
                crop=crop_jpeg(image, result.face.box, FACE_CROP_MARGIN),
                embedding=to_bytes(result.embedding),
                shot_score=shot_score(image, result.face.box, result.face.landmarks),
            )
        )
    return len(results), hits


def _probes(results: list[FaceResult]) -> FloatArray:
    stacked: FloatArray = np.stack([r.embedding for r in results if r.embedding is not None])
    return stacked


def plate_verdict(
    reading: PlateReading, plates: PlateIndex, rules: MatchRules
) -> tuple[AlertKind, ListedPlate | None] | None:
    """wanted (on a wanted list that applies here), foreign (a confident reading unknown to the
    site's own lists), or None. A wanted entry the read equals is preferred, then one it
    differs from only where it was unsure (``PlateIndex.possible``), then the closest within
    ``plate_max_edits``; a listed plate at a distance above 0 is a *possible* match."""
    text = reading.text.text
    wanted = plates.find(text, PlateListKind.WANTED, rules.site_id, rules.plate_max_edits)
    if wanted is None or wanted.distance > 0:
        wanted = plates.possible(reading.text, PlateListKind.WANTED, rules.site_id) or wanted
    if wanted is not None:
        return AlertKind.PLATE_WANTED, wanted
    if (
        plates.has_own_list(rules.site_id)
        and reading.confidence >= rules.plate_min_confidence
        and len(text) >= MIN_FOREIGN_PLATE_CHARS
        and plates.find(text, PlateListKind.OWN, rules.site_id, rules.plate_max_edits) is None
        and plates.possible(reading.text, PlateListKind.OWN, rules.site_id) is None
    ):
        return AlertKind.PLATE_FOREIGN, None
    return None


def plate_hit(
    reading: PlateReading, kind: AlertKind, listed: ListedPlate | None, image: ImageArray
) -> PlateHit:
    """A read that matched a list, with its crop cut from the frame it was read in."""
    return PlateHit(
        kind=kind,
        text=reading.text.text,
        display=reading.text.display,
        raw=reading.raw,
        confidence=round(reading.confidence, 4),
        box=rounded(reading.box),
        listed=listed,
        crop=crop_jpeg(image, reading.box, PLATE_CROP_MARGIN),
        uncertain=reading.text.uncertain,
    )


def _plate_hits(
    recognizer: Recognizer, plates: PlateIndex, image: ImageArray, rules: MatchRules
) -> tuple[list[PlateReading], list[PlateHit]]:
    readings = recognizer.plates(image)
    hits = []
    for reading in readings:
        verdict = plate_verdict(reading, plates, rules)
        if verdict is None:
            continue
        kind, listed = verdict
        hits.append(plate_hit(reading, kind, listed, image))
    return readings, hits


def analyse_frame(
    recognizer: Recognizer,
    watchlists: WatchlistIndex,
    plates: PlateIndex,
    frame: ImageArray | bytes,
    rules: MatchRules,
) -> FrameAnalysis:
    image = decode_image(frame) if isinstance(frame, bytes) else frame
    face_count, face_hits = (
        _face_hits(recognizer, watchlists, image, rules) if rules.faces else (0, [])
    )
    readings, plate_hits = (
        _plate_hits(recognizer, plates, image, rules) if rules.plates else ([], [])
    )
    return FrameAnalysis(
        faces=face_count,
        plates=[r.text.text for r in readings],
        face_hits=face_hits,
        plate_hits=plate_hits,
        plate_reads=frame_reads(readings),
    )


def frame_reads(readings: list[PlateReading]) -> list[FrameRead]:
    """A frame's plates as the plate read log keeps them (every one, listed or not)."""
    return [
        FrameRead(text=r.text.text, display=r.text.display, confidence=round(r.confidence, 4))
        for r in readings
    ]


def read_plates(
    recognizer: Recognizer,
    plates: PlateIndex,
    data: bytes,
    max_edits: int,
    site_id: int | None,
) -> PlatesResponse:
    """The direct plate query: every plate read, and the list it is on."""
    found = []
    every_site = site_id is None
    for reading in recognizer.plates(decode_image(data)):
        text = reading.text.text
        listed = None
        for kind in (PlateListKind.WANTED, PlateListKind.OWN):
            if plates.find(text, kind, site_id, max_edits, every_site=every_site) is not None:
                listed = kind.value
                break
        found.append(
            PlateOut(text, reading.raw, round(reading.confidence, 4), rounded(reading.box), listed)
        )
    return PlatesResponse(found)


def find_faces(
    recognizer: Recognizer,
    watchlists: WatchlistIndex,
    data: bytes,
    watchlist_id: int | None,
) -> FacesResponse:
    """The direct face query: every face, and whom it matches (faces too small: null)."""
    results = recognizer.faces(decode_image(data))
    embedded = [r for r in results if r.embedding is not None]
    hits: dict[int, WatchlistHit | None] = {}
    if embedded:
        matches = watchlists.match(_probes(embedded), watchlist_id=watchlist_id)
        hits = {id(r): hit for r, hit in zip(embedded, matches, strict=True)}
    faces = []
    for result in results:
        hit = hits.get(id(result))
        match = None if hit is None else FaceMatchOut(hit.person_id, hit.person, hit.similarity)
        faces.append(FaceOut(rounded(result.face.box), round(result.face.score, 4), match))
    return FacesResponse(faces)
