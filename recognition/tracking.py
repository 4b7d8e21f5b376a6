"""Tracks of boxes across video frames: linking detections, filling gaps, where a box is when.

Theory of operation. A detector sees one frame at a time and misses a face now and then (a turned
head, motion blur, a frame it was not run on). Redaction cannot afford a miss, so detections are
linked into tracks and a track is blurred on every frame of its span, detected or not:

- Linking (``Tracker``) is greedy per frame and per kind: each open track predicts where its box
  is now (moving on at the speed between its last two detections), and a detection joins the
  track whose prediction it overlaps best (IoU), or failing any overlap the nearest one whose
  centre is within a few box sizes (more the longer the track was not seen). A track not
  extended for ``max_gap_frames`` closes; a detection nobody claims opens a new track. A false
  detection only costs a needless blur the reviewer can remove; a missed link only splits one
  track into two.
- Each detection becomes a keyframe, its box padded by ``pad_share`` on every side (hair, ears,
  the plate's frame) and clipped to the picture: what the reviewer sees is what is blurred.
- Between keyframes the box is interpolated linearly (``boxes_at``); before the first and after
  the last, within a safety margin of ``margin_frames``, it is the nearest keyframe's box joined
  with where the track's motion carries it, so a face entering or leaving the picture, or one the
  detector lost a few frames early, stays covered.

All of it is pure arithmetic on frame numbers and boxes: no video, no model, no clock.
"""

import bisect
import enum
import math
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

DEFAULT_PAD_SHARE: Final = 0.25
"""Added to each side of a detected box, as a share of its width or height."""
DEFAULT_MARGIN_S: Final = 0.5
"""A track is blurred this long before its first and after its last detection."""
DEFAULT_MAX_GAP_S: Final = 1.0
"""A face lost for longer than this and found again starts a new track (still blurred: the gap
is then covered by the two tracks' margins only, hence the generous value)."""
DEFAULT_MIN_IOU: Final = 0.1
DEFAULT_MAX_CENTRE_SHIFT: Final = 1.0
DEFAULT_MAX_SHIFT_PER_FRAME: Final = 0.5
"""How far a box's centre may be from the prediction, in box sizes, to still be the same object
when the boxes no longer overlap: ``max_centre_shift``, or ``max_shift_per_frame`` for every
frame since the track was last seen when that is more (a fast face looked for every few frames,
before its track has a speed to predict with)."""

XYWH = tuple[float, float, float, float]


class Box(msgspec.Struct, frozen=True, array_like=True):
    """A rectangle in frame pixels; ``array_like`` so a timeline of thousands stays small."""

    x_px: int
    y_px: int
    width_px: int
    height_px: int


class TrackKind(enum.StrEnum):
    FACE = "face"
    PLATE = "plate"
    MANUAL = "manual"


class Track(msgspec.Struct, frozen=True, kw_only=True):
    """One object to blur: its keyframes and the frames it is blurred on (both inclusive)."""

    track_id: str
    kind: TrackKind
    keyframes: list[tuple[int, Box]]  # (frame index, box), sorted by frame, at least one
    first_frame: int  # inclusive, after the safety margin
    last_frame: int  # inclusive, after the safety margin


class Detection(msgspec.Struct, frozen=True):
    kind: TrackKind
    box: XYWH  # x, y, width, height in frame pixels


class TrackerSettings(msgspec.Struct, frozen=True, kw_only=True):
    max_gap_frames: int
    margin_frames: int
    pad_share: float = DEFAULT_PAD_SHARE
    min_iou: float = DEFAULT_MIN_IOU
    max_centre_shift: float = DEFAULT_MAX_CENTRE_SHIFT
    max_shift_per_frame: float = DEFAULT_MAX_SHIFT_PER_FRAME

    @classmethod
    def for_video(cls, fps: float, detect_every_n_frames: int) -> "TrackerSettings":
        """Gaps and margins in frames for this frame rate; never shorter than the stride between
        detections, so the frames after the last one a track was looked for are covered."""
        stride = max(1, detect_every_n_frames)
        return cls(
            max_gap_frames=max(math.ceil(DEFAULT_MAX_GAP_S * fps), 2 * stride),
            margin_frames=max(math.ceil(DEFAULT_MARGIN_S * fps), stride),
        )


class _Chain(msgspec.Struct):
    """A track being built: its detections as (frame, box), in frame order."""

    kind: TrackKind
    points: list[tuple[int, XYWH]]

    def predict(self, frame: int) -> XYWH:
        last_frame, last = self.points[-1]
        if len(self.points) < 2:
            return last
        prev_frame, prev = self.points[-2]
        step = (frame - last_frame) / (last_frame - prev_frame)
        return (
            last[0] + (last[0] - prev[0]) * step,
            last[1] + (last[1] - prev[1]) * step,
            last[2],
            last[3],
        )


def iou(a: XYWH, b: XYWH) -> float:
    overlap_w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    overlap_h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if overlap_w <= 0 or overlap_h <= 0:
        return 0.0
    overlap = overlap_w * overlap_h
    return overlap / (a[2] * a[3] + b[2] * b[3] - overlap)


def centre_shift(a: XYWH, b: XYWH) -> float:
    """Distance between the centres, in units of ``a``'s larger side."""
    dx = (a[0] + a[2] / 2) - (b[0] + b[2] / 2)
    dy = (a[1] + a[3] / 2) - (b[1] + b[3] / 2)
    return math.hypot(dx, dy) / max(a[2], a[3], 1.0)


class Tracker:
    """Feed detections frame by frame (``add``), in increasing frame order; then ``tracks``."""

    def __init__(self, settings: TrackerSettings) -> None:
        self.settings = settings
        self._chains: list[_Chain] = []

    def add(self, frame: int, detections: Iterable[Detection]) -> None:
        open_chains = [
            c
            for c in self._chains
            if frame - c.points[-1][0] <= self.settings.max_gap_frames and c.points[-1][0] < frame
        ]
        unclaimed = list(detections)
        for chain, detection in self._matches(frame, open_chains, unclaimed):
            chain.points.append((frame, detection.box))
            unclaimed.remove(detection)
        self._chains.extend(_Chain(d.kind, [(frame, d.box)]) for d in unclaimed)

    def _matches(
        self, frame: int, chains: list[_Chain], detections: list[Detection]
    ) -> list[tuple[_Chain, Detection]]:
        """Greedy assignment, best affinity first; each chain and detection used once."""
        scored = []
        for c_index, chain in enumerate(chains):
            predicted = chain.predict(frame)
            allowed_shift = max(
                self.settings.max_centre_shift,
                self.settings.max_shift_per_frame * (frame - chain.points[-1][0]),
            )
            for d_index, detection in enumerate(detections):
                if detection.kind != chain.kind:
                    continue
                score = self._affinity(predicted, detection.box, allowed_shift)
                if score is not None:
                    scored.append((score, c_index, d_index))
        scored.sort(key=lambda s: -s[0])
        used_chains: set[int] = set()
        used_detections: set[int] = set()
        matches = []
        for _, c_index, d_index in scored:
            if c_index in used_chains or d_index in used_detections:
                continue
            used_chains.add(c_index)
            used_detections.add(d_index)
            matches.append((chains[c_index], detections[d_index]))
        return matches

    def _affinity(self, predicted: XYWH, box: XYWH, allowed_shift: float) -> float | None:
        """Overlap first (1..2), else nearness (0..1); None when the box is another object."""
        overlap = iou(predicted, box)
        if overlap >= self.settings.min_iou:
            return 1.0 + overlap
        shift = centre_shift(predicted, box)
        if shift <= allowed_shift:
            return 1.0 - shift / allowed_shift
        return None

    def tracks(self, frame_count: int, width_px: int, height_px: int) -> list[Track]:
        """The finished tracks, numbered per kind in order of first appearance."""
        numbers: dict[TrackKind, int] = {}
        tracks = []
        for chain in sorted(self._chains, key=lambda c: c.points[0][0]):
            numbers[chain.kind] = numbers.get(chain.kind, 0) + 1
            keyframes = [
                (frame, pad(box, self.settings.pad_share, width_px, height_px))
                for frame, box in chain.points
            ]
            tracks.append(
                Track(
                    track_id=f"{chain.kind}-{numbers[chain.kind]}",
                    kind=chain.kind,
                    keyframes=keyframes,
                    first_frame=max(0, keyframes[0][0] - self.settings.margin_frames),
                    last_frame=min(frame_count - 1, keyframes[-1][0] + self.settings.margin_frames),
                )
            )
        return tracks


def pad(box: XYWH, share: float, width_px: int, height_px: int) -> Box:
    """The box grown by ``share`` of its size on every side, rounded outwards, clipped."""
    x, y, w, h = box
    left = max(0, math.floor(x - w * share))
    top = max(0, math.floor(y - h * share))
    right = min(width_px, math.ceil(x + w * (1 + share)))
    bottom = min(height_px, math.ceil(y + h * (1 + share)))
    return Box(left, top, max(1, right - left), max(1, bottom - top))


def _corners(box: Box) -> tuple[float, float, float, float]:
    return (box.x_px, box.y_px, box.x_px + box.width_px, box.y_px + box.height_px)


def _box_of(left: float, top: float, right: float, bottom: float) -> Box:
    x, y = math.floor(left), math.floor(top)
    return Box(x, y, max(1, math.ceil(right) - x), max(1, math.ceil(bottom) - y))


def _between(a: Box, b: Box, t: float) -> Box:
    """The box a share ``t`` of the way from ``a`` to ``b`` (corners moved linearly)."""
    ca, cb = _corners(a), _corners(b)
    left, top, right, bottom = (p + (q - p) * t for p, q in zip(ca, cb, strict=True))
    return _box_of(left, top, right, bottom)


def _union(a: Box, b: Box) -> Box:
    ca, cb = _corners(a), _corners(b)
    return _box_of(min(ca[0], cb[0]), min(ca[1], cb[1]), max(ca[2], cb[2]), max(ca[3], cb[3]))


def _beyond(nearest: tuple[int, Box], other: tuple[int, Box] | None, frame: int) -> Box:
    """In the margin: the nearest keyframe's box, joined with where the motion between it and
    its neighbour keyframe carries it by ``frame``."""
    near_frame, near_box = nearest
    if other is None:
        return near_box
    other_frame, other_box = other
    moved = _between(near_box, other_box, (frame - near_frame) / (other_frame - near_frame))
    return _union(near_box, moved)


def boxes_at(track: Track, frame: int) -> Box | None:
    """The track's box on ``frame`` (not clipped to the picture), or None outside its span."""
    if not track.keyframes or not track.first_frame <= frame <= track.last_frame:
        return None
    after = bisect.bisect_left(track.keyframes, frame, key=_frame_of)
    if after < len(track.keyframes) and track.keyframes[after][0] == frame:
        return track.keyframes[after][1]
    if after == 0:
        return _beyond(track.keyframes[0], _get(track.keyframes, 1), frame)
    if after == len(track.keyframes):
        return _beyond(track.keyframes[-1], _get(track.keyframes, -2), frame)
    (f0, b0), (f1, b1) = track.keyframes[after - 1], track.keyframes[after]
    return _between(b0, b1, (frame - f0) / (f1 - f0))


def in_frame_order(track: Track) -> Track:
    """The track with its keyframes sorted by frame, which ``boxes_at`` relies on."""
    ordered = sorted(track.keyframes, key=_frame_of)
    return (
        track if ordered == track.keyframes else msgspec.structs.replace(track, keyframes=ordered)
    )


def _frame_of(keyframe: tuple[int, Box]) -> int:
    return keyframe[0]


def _get(keyframes: Sequence[tuple[int, Box]], index: int) -> tuple[int, Box] | None:
    return keyframes[index] if -len(keyframes) <= index < len(keyframes) else None
