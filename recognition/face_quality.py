"""How good a picture of a face is: its sharpness, how squarely it faces the camera, and the
score that picks a camera's best shot of a person.

Sharpness is the variance of the Laplacian of the face's grey crop, resized to a fixed
``SHARPNESS_PX`` square first, so the figure says how much fine detail the face holds whatever its
size in the frame (size is scored on its own, as area). Frontalness comes from YuNet's five
landmarks: a face turned to one side puts its nose tip near one eye, so the ratio of the two
eye-to-nose distances across the face (1 when equal) measures it. Pure: arrays in, floats out.
"""

from collections.abc import Sequence
from typing import Final

import cv2
import numpy as np

from recognition.faces import ImageArray

SHARPNESS_PX: Final = 112
"""The square a face crop is resized to before its sharpness is measured (SFace's input size)."""
MIN_FRONTALNESS: Final = 0.05
"""A profile (nose outside the eyes) still scores a little above nothing: better than no shot."""
FACE_LANDMARKS: Final = 5


def sharpness(image: ImageArray, box: tuple[float, float, float, float]) -> float:
    """Variance of the Laplacian of the face box (clipped to the image), at a fixed size."""
    height, width = image.shape[:2]
    x, y, box_w, box_h = box
    left, top = max(0, int(x)), max(0, int(y))
    right, bottom = min(width, int(x + box_w)), min(height, int(y + box_h))
    if right - left < 2 or bottom - top < 2:
        return 0.0
    region = image[top:bottom, left:right]
    grey = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY) if region.ndim == 3 else region
    square = cv2.resize(grey, (SHARPNESS_PX, SHARPNESS_PX), interpolation=cv2.INTER_AREA)
    laplacian = cv2.Laplacian(square.astype(np.float32), cv2.CV_32F)
    return float(laplacian.var())


def frontalness(landmarks: Sequence[tuple[float, float]]) -> float:
    """1 for a face looking straight at the camera, towards MIN_FRONTALNESS for a profile; 1 when
    the detector gave no landmarks (nothing to judge by).

    Landmarks are YuNet's: the person's right eye, left eye, nose tip, then mouth corners; the
    right eye is on the image's left."""
    if len(landmarks) < FACE_LANDMARKS:
        return 1.0
    (right_eye_x, _), (left_eye_x, _), (nose_x, _) = landmarks[0], landmarks[1], landmarks[2]
    to_right, to_left = nose_x - right_eye_x, left_eye_x - nose_x
    if to_right <= 0 or to_left <= 0:
        return MIN_FRONTALNESS
    return max(MIN_FRONTALNESS, min(to_right, to_left) / max(to_right, to_left))


def shot_score(
    image: ImageArray,
    box: tuple[float, float, float, float],
    landmarks: Sequence[tuple[float, float]],
) -> float:
    """Which shot of a person to keep: face area x sharpness x frontalness (larger is better)."""
    area_px = max(0.0, box[2]) * max(0.0, box[3])
    return area_px * sharpness(image, box) * frontalness(landmarks)
