"""One frame from a camera, as JPEG: what an alarm's snapshot is made of.

Blocking (OpenCV opens and reads streams synchronously, within the capture's own open and read
timeouts): the worker calls `grab` in a thread, never on the event loop. A live stream opened now
gives the frame of now; a video file (a camera stand-in, or a recorder's export) gives its first
frame.
"""

from __future__ import annotations

from typing import Final

import cv2
import msgspec

from recognition.cameras import open_capture
from server.cameras.schemas import mask_password

JPEG_QUALITY: Final = 90
FRAMES_TO_SETTLE: Final = 3
"""Frames read before the one kept: a stream's first frames may be half-decoded (no key frame
yet); more would delay the picture of the alarm's moment."""


class SnapshotError(Exception):
    """The camera gave no frame (unreachable, no stream, nothing decodable)."""


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    jpeg: bytes
    width: int
    height: int


def grab(url: str) -> Snapshot:
    """One decoded frame from the camera at `url`, encoded as JPEG."""
    capture = open_capture(url)
    try:
        if not capture.isOpened():
            raise SnapshotError(f"the camera's stream did not open ({mask_password(url)})")
        frame = None
        for _ in range(FRAMES_TO_SETTLE):
            ok, image = capture.retrieve() if capture.grab() else (False, None)
            if not ok:
                break
            frame = image
        if frame is None:
            raise SnapshotError(f"the camera's stream gave no frame ({mask_password(url)})")
    finally:
        capture.release()
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise SnapshotError("the frame could not be encoded as JPEG")
    height, width = frame.shape[:2]
    return Snapshot(jpeg=encoded.tobytes(), width=int(width), height=int(height))
