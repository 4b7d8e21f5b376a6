"""Reading and decoding images: one place that turns OpenCV's `None` into a clear error."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from recognition.errors import ImageError

ImageArray = npt.NDArray[np.uint8]


def read_image(path: Path) -> ImageArray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError(f"cannot read an image from {path}")
    return np.asarray(image, dtype=np.uint8)


def decode_image(data: bytes) -> ImageArray:
    """Decode JPEG/PNG bytes (a pushed camera frame) into a BGR array."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError("the bytes are not a JPEG or PNG image")
    return np.asarray(image, dtype=np.uint8)
