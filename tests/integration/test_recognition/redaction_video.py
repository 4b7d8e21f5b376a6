"""A short street scene written by OpenCV for the redaction tests: two faces from the test photos
moving across the picture in opposite directions and a car's plate sliding slowly along the
bottom. Deterministic (no random numbers), so two calls write the same frames; the container is
MP4 (MPEG-4 Part 2), as a body camera's recording would be. Chromium does not play MPEG-4 Part 2:
a page shows such an original through decoded frames, not a ``<video>``.

Mid-clip the two faces cross, Biden in front, so for a few frames the detector sees Obama only in
part or not at all: the case tracking is for, happening on its own.

The layout is drawn for 640x360 and scaled to any other size (the benchmark uses 1280x720).
"""

from pathlib import Path
from typing import Final

import cv2
import msgspec
import numpy as np
import numpy.typing as npt

from recognition.images import read_image
from tests.datafiles import BIDEN, EU_PLATES, OBAMA

ImageArray = npt.NDArray[np.uint8]

WIDTH_PX: Final = 640
HEIGHT_PX: Final = 360
FPS: Final = 25.0
FRAME_COUNT: Final = 50
GRID_PX: Final = 40
PLATE_PHOTO: Final = EU_PLATES / "test_008.jpg"
# Where the face or plate sits in its source photo: x, y, width, height.
OBAMA_FACE: Final = (374, 95, 231, 321)
BIDEN_FACE: Final = (435, 187, 276, 381)
PLATE_BOX: Final = (165, 282, 124, 28)


class Sprite(msgspec.Struct, frozen=True):
    """A picture pasted at a position that moves linearly from ``start`` to ``end`` (top-left
    corners in frame pixels) over the clip."""

    image: ImageArray
    start: tuple[int, int]
    end: tuple[int, int]

    def at(self, frame: int, frame_count: int) -> tuple[int, int]:
        t = frame / max(1, frame_count - 1)
        return (
            round(self.start[0] + (self.end[0] - self.start[0]) * t),
            round(self.start[1] + (self.end[1] - self.start[1]) * t),
        )


class SceneVideo(msgspec.Struct, frozen=True, kw_only=True):
    path: Path
    frame_count: int
    fps: float
    width_px: int
    height_px: int


def _cut(
    photo: ImageArray, box: tuple[int, int, int, int], around: float, target_w_px: int
) -> ImageArray:
    """The box grown by ``around`` of its size on each side, scaled so the box is
    ``target_w_px`` wide."""
    x, y, w, h = box
    left, top = max(0, int(x - w * around)), max(0, int(y - h * around))
    right = min(photo.shape[1], int(x + w * (1 + around)))
    bottom = min(photo.shape[0], int(y + h * (1 + around)))
    scale = target_w_px / w
    crop = photo[top:bottom, left:right]
    size = (round((right - left) * scale), round((bottom - top) * scale))
    return np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def sprites(width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> list[Sprite]:
    """Obama left to right along the top, Biden right to left below him, the car along the
    bottom; sizes and paths scale with the picture's width."""
    scale = width_px / WIDTH_PX
    obama = _cut(read_image(OBAMA), OBAMA_FACE, 0.3, round(72 * scale))
    biden = _cut(read_image(BIDEN), BIDEN_FACE, 0.3, round(64 * scale))
    car = _cut(read_image(PLATE_PHOTO), PLATE_BOX, 0.8, round(120 * scale))

    def px(value: float) -> int:
        return round(value * scale)

    car_y_px = height_px - car.shape[0] - px(10)
    return [
        Sprite(obama, (px(20), px(20)), (width_px - obama.shape[1] - px(20), px(50))),
        Sprite(biden, (width_px - biden.shape[1] - px(30), px(90)), (px(30), px(70))),
        Sprite(car, (px(200), car_y_px), (px(300), car_y_px)),
    ]


def background(width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> ImageArray:
    """A grey-blue gradient with a faint grid: texture for the encoder, nothing face-like."""
    ys, xs = np.mgrid[0:height_px, 0:width_px]
    blue = 120 + 60 * xs / width_px
    green = 110 + 40 * ys / height_px
    grid = ((xs % GRID_PX == 0) | (ys % GRID_PX == 0)) * 25
    picture = np.stack([blue - grid, green - grid, np.full_like(blue, 100.0) - grid], axis=2)
    return np.asarray(np.clip(picture, 0, 255), dtype=np.uint8)


def scene_frame(index: int, frame_count: int, parts: list[Sprite], base: ImageArray) -> ImageArray:
    frame = base.copy()
    for sprite in parts:
        x, y = sprite.at(index, frame_count)
        height, width = sprite.image.shape[:2]
        frame[y : y + height, x : x + width] = sprite.image
    return frame


def write_scene_video(
    path: Path,
    *,
    frame_count: int = FRAME_COUNT,
    width_px: int = WIDTH_PX,
    height_px: int = HEIGHT_PX,
) -> SceneVideo:
    """Write the scene to ``path`` (give it a .mp4 name) and say what it holds."""
    size = (width_px, height_px)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, size)
    if not writer.isOpened():
        raise RuntimeError("this OpenCV cannot write MPEG-4 Part 2 video")
    parts, base = sprites(width_px, height_px), background(width_px, height_px)
    for index in range(frame_count):
        writer.write(scene_frame(index, frame_count, parts, base))
    writer.release()
    return SceneVideo(
        path=path, frame_count=frame_count, fps=FPS, width_px=width_px, height_px=height_px
    )
