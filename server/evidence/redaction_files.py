"""The files a redaction works on: the original's bytes as a local file OpenCV can open, a
frame of it as JPEG for the reviewer, and the job's scratch folder.

OpenCV opens local paths only. In the evidence directory the original already is one (read-only,
never written here); from a bucket it is copied once into the job's scratch folder
(`<data_dir>/redactions/<id>/`) and its SHA-256 checked before anything reads it, so a job never
works on bytes other than the verified ones.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Final

import cv2
import numpy as np

from recognition.redaction import ImageArray, Track, TrackKind, boxes_at, read_frame
from server.errors import NotFound
from server.uploads.evidence.base import hash_file
from server.uploads.evidence.directory import DirectoryBackend
from server.uploads.storage import EvidenceStore

SCRATCH_FOLDER: Final = "redactions"
JPEG_QUALITY: Final = 85
BOX_COLOURS_BGR: Final = {
    TrackKind.FACE: (0, 200, 255),  # amber
    TrackKind.PLATE: (255, 160, 0),  # blue
    TrackKind.MANUAL: (60, 60, 255),  # red
}
BOX_LINE_PX: Final = 3


class SourceChanged(Exception):
    """The copied original does not have the SHA-256 of the verified evidence."""


def scratch(evidence_path: Path, redaction_id: str) -> Path:
    return evidence_path / SCRATCH_FOLDER / redaction_id


async def local_original(store: EvidenceStore, sha256: str, folder: Path) -> Path:
    """A local path holding the verified bytes of `sha256` (see the module docstring)."""
    backend = store.backend
    if isinstance(backend, DirectoryBackend):
        return backend.path(sha256)
    copy = folder / "original"
    if await asyncio.to_thread(copy.exists):
        return copy
    size = await backend.size_of(sha256)
    if size is None:
        raise NotFound(f"The evidence file {backend.where(sha256)} is missing.")
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    partial = folder / "original.part"
    with partial.open("wb") as handle:
        async for block in backend.read(sha256, 0, size):
            await asyncio.to_thread(handle.write, block)
    if await asyncio.to_thread(hash_file, partial) != sha256:
        partial.unlink(missing_ok=True)
        raise SourceChanged(f"the copy of {backend.where(sha256)} has another SHA-256")
    await asyncio.to_thread(partial.replace, copy)
    return copy


def remove_scratch(folder: Path) -> None:
    """Blocking: the job is over, its copies go."""
    shutil.rmtree(folder, ignore_errors=True)


def frame_jpeg(
    video: Path, frame: int, tracks: list[Track] | None, max_side_px: int | None
) -> bytes:
    """Frame `frame` as JPEG, with each track's box at that frame drawn when `tracks` are given,
    scaled down to `max_side_px` if asked (the timeline's strip). Blocking."""
    image: ImageArray = np.ascontiguousarray(read_frame(video, frame))
    for track in tracks or []:
        box = boxes_at(track, frame)
        if box is not None:
            corner = (box.x_px, box.y_px)
            far = (box.x_px + box.width_px, box.y_px + box.height_px)
            cv2.rectangle(image, corner, far, BOX_COLOURS_BGR[track.kind], BOX_LINE_PX)
    height, width = image.shape[:2]
    if max_side_px is not None and max(height, width) > max_side_px:
        scale = max_side_px / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return bytes(encoded.tobytes())
