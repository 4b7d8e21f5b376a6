"""Redaction: faces and plates found, tracked across frames and blurred in a derivative video.

Theory of operation. ``propose`` decodes the recording once, runs the face detector (and the plate
detector, when given) on every n-th frame and links the detections into tracks
(``recognition.tracking``): boxes padded, gaps interpolated, a safety margin at both ends. The
reviewer edits that proposal (drops a track, adds a manual one) and ``render`` decodes the
recording again and pixelates every track's box on every frame of its span into a new file.

Pixelation is the blur: each box is averaged into blocks of at least ``1/PIXEL_BLOCKS`` of its
larger side, which throws the detail away (no deconvolution brings a face back from a dozen
averages), and the result is what the same detectors fail on. OpenCV writes no audio track, so the
derivative is silent: that is the audio mute, and it is always on. The original file is only ever
opened for reading.

The derivative is VP8 in WebM when this OpenCV build can write it (Chromium plays it in a
``<video>``), else MPEG-4 Part 2 in MP4; ``RenderResult.output_suffix`` says which. The bytes go to
a temporary file beside ``out`` and are renamed onto it when complete, so ``out`` is either absent
or whole.
"""

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final, Protocol

import cv2
import msgspec
import numpy as np
import numpy.typing as npt

from recognition.errors import ImageError
from recognition.faces import Face
from recognition.tracking import (
    Box,
    Detection,
    Track,
    Tracker,
    TrackerSettings,
    TrackKind,
    boxes_at,
    in_frame_order,
)

__all__ = [
    "Box",
    "FaceBoxes",
    "ImageArray",
    "PlateBoxes",
    "Proposal",
    "RenderResult",
    "Track",
    "TrackKind",
    "VideoInfo",
    "boxes_at",
    "probe",
    "propose",
    "read_frame",
    "render",
]

ImageArray = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float32]
Progress = Callable[[int, int], None]
"""Called as ``progress(done_frames, total_frames)`` after every frame: throttle it yourself."""

PIXEL_BLOCKS: Final = 8
"""A box is pixelated into at most this many blocks along its larger side."""
MIN_BLOCK_PX: Final = 6
FALLBACK_FPS: Final = 25.0
"""Used when a container does not state its frame rate (OpenCV then reports 0)."""
WRITERS: Final = (("VP80", ".webm"), ("mp4v", ".mp4"))
"""FourCC and container, first choice first: VP8/WebM plays in Chromium; MPEG-4 is the fallback
every opencv-python wheel can write."""


class FaceBoxes(Protocol):
    """What ``propose`` needs of a face detector: ``recognition.faces.FaceDetector`` fits."""

    def detect(self, image: ImageArray) -> list[Face]: ...


class PlateBoxes(Protocol):
    """What ``propose`` needs of a plate detector: ``recognition.plates.PlateReader`` fits
    (boxes as x1, y1, x2, y2 in frame pixels, and their scores)."""

    def detect(self, image: ImageArray) -> tuple[FloatArray, FloatArray]: ...


class VideoInfo(msgspec.Struct, frozen=True, kw_only=True):
    fps: float
    frame_count: int
    width_px: int
    height_px: int


class Proposal(msgspec.Struct, frozen=True, kw_only=True):
    video: VideoInfo
    tracks: list[Track]


class RenderResult(msgspec.Struct, frozen=True, kw_only=True):
    frames: int
    elapsed_s: float
    output_suffix: str  # ".webm" (VP8) or ".mp4" (MPEG-4 Part 2); the file at ``out`` is this


@contextmanager
def _opened(video: Path) -> Iterator[cv2.VideoCapture]:
    capture = cv2.VideoCapture(str(video))
    try:
        if not capture.isOpened():
            raise ImageError(f"cannot open {video.name} as a video")
        yield capture
    finally:
        capture.release()


def _frames(capture: cv2.VideoCapture) -> Iterator[ImageArray]:
    while True:
        ok, frame = capture.read()
        if not ok:
            return
        yield np.asarray(frame, dtype=np.uint8)


def _fps(capture: cv2.VideoCapture) -> float:
    fps = float(capture.get(cv2.CAP_PROP_FPS))
    return fps if math.isfinite(fps) and fps > 0 else FALLBACK_FPS


def probe(video: Path) -> VideoInfo:
    """Frame rate, frame count and the decoded picture size (after any rotation the container
    asks for). The count is the container's; when it states none, the frames are counted."""
    with _opened(video) as capture:
        fps = _fps(capture)
        stated = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        ok, first = capture.read()
        if not ok:
            raise ImageError(f"{video.name} holds no frame")
        height, width = first.shape[:2]
        count = stated if stated > 0 else 1 + sum(1 for _ in iter(capture.grab, False))
    return VideoInfo(fps=fps, frame_count=count, width_px=width, height_px=height)


def _detections(frame: ImageArray, faces: FaceBoxes, plates: PlateBoxes | None) -> list[Detection]:
    found = [Detection(TrackKind.FACE, face.box) for face in faces.detect(frame)]
    if plates is not None:
        boxes, _ = plates.detect(frame)
        for x1, y1, x2, y2 in boxes.tolist():
            found.append(Detection(TrackKind.PLATE, (x1, y1, x2 - x1, y2 - y1)))
    return found


def propose(
    video: Path,
    faces: FaceBoxes,
    plates: PlateBoxes | None,
    *,
    detect_every_n_frames: int = 1,
    progress: Progress | None = None,
) -> Proposal:
    """Tracks of every face and plate in the video, padded and with safety margins.

    The detectors run on frames 0, n, 2n, ...; tracking covers the frames between. The frame
    count in the answer is the number of frames actually decoded.
    """
    if detect_every_n_frames < 1:
        raise ValueError("detect_every_n_frames must be at least 1")
    info = probe(video)
    tracker = Tracker(TrackerSettings.for_video(info.fps, detect_every_n_frames))
    decoded = 0
    with _opened(video) as capture:
        for index, frame in enumerate(_frames(capture)):
            if index % detect_every_n_frames == 0:
                tracker.add(index, _detections(frame, faces, plates))
            decoded = index + 1
            if progress is not None:
                progress(decoded, max(decoded, info.frame_count))
    video_info = msgspec.structs.replace(info, frame_count=decoded)
    return Proposal(video=video_info, tracks=tracker.tracks(decoded, info.width_px, info.height_px))


def pixelate(frame: ImageArray, box: Box) -> None:
    """Average the box (clipped to the frame) into coarse blocks, in place."""
    height, width = frame.shape[:2]
    left, top = max(0, box.x_px), max(0, box.y_px)
    right = min(width, box.x_px + box.width_px)
    bottom = min(height, box.y_px + box.height_px)
    if right <= left or bottom <= top:
        return
    region = frame[top:bottom, left:right]
    block_px = max(MIN_BLOCK_PX, math.ceil(max(right - left, bottom - top) / PIXEL_BLOCKS))
    small_size = (max(1, (right - left) // block_px), max(1, (bottom - top) // block_px))
    small = cv2.resize(region, small_size, interpolation=cv2.INTER_AREA)
    frame[top:bottom, left:right] = cv2.resize(
        small, (right - left, bottom - top), interpolation=cv2.INTER_NEAREST
    )


def _writer(path_stem: Path, fps: float, size: tuple[int, int]) -> tuple[cv2.VideoWriter, Path]:
    for fourcc, suffix in WRITERS:
        target = path_stem.with_name(path_stem.name + suffix)
        writer = cv2.VideoWriter(str(target), cv2.VideoWriter.fourcc(*fourcc), fps, size)
        if writer.isOpened():
            return writer, target
        writer.release()
        target.unlink(missing_ok=True)
    raise ImageError("this OpenCV build can write neither VP8/WebM nor MPEG-4/MP4")


def render(
    video: Path,
    out: Path,
    tracks: Sequence[Track],
    *,
    progress: Progress | None = None,
) -> RenderResult:
    """Write the video with every track's box pixelated on every frame of its span to ``out``
    (silent; container per ``RenderResult.output_suffix``). ``video`` is only read."""
    started = time.monotonic()
    info = probe(video)
    tracks = [in_frame_order(track) for track in tracks]  # a reviewer's edits come in any order
    partial = out.with_name(f".{out.name}.partial")
    writer, written = _writer(partial, info.fps, (info.width_px, info.height_px))
    frames = 0
    try:
        with _opened(video) as capture:
            for index, frame in enumerate(_frames(capture)):
                for track in tracks:
                    box = boxes_at(track, index)
                    if box is not None:
                        pixelate(frame, box)
                writer.write(frame)
                frames = index + 1
                if progress is not None:
                    progress(frames, max(frames, info.frame_count))
    except BaseException:
        writer.release()
        written.unlink(missing_ok=True)
        raise
    writer.release()
    written.replace(out)
    return RenderResult(
        frames=frames, elapsed_s=time.monotonic() - started, output_suffix=written.suffix
    )


def read_frame(video: Path, frame: int) -> ImageArray:
    """One decoded frame (BGR), for a reviewer's thumbnail. Seeks, so it costs at most the
    decoding from the previous keyframe."""
    if frame < 0:
        raise ImageError(f"no frame {frame}: frames count from 0")
    with _opened(video) as capture:
        capture.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, image = capture.read()
    if not ok:
        raise ImageError(f"{video.name} has no frame {frame}")
    return np.asarray(image, dtype=np.uint8)
