"""Which face of a photo to enrol, or why the photo cannot be enrolled.

An enrolled face is what every camera face of that person is compared with for as long as it is
on the list, so a poor one costs on every frame: it is refused, with the reason the operator can
act on, rather than stored. In this order:

- no face at all (nothing to enrol);
- several faces, when a second face is at least ``SECOND_FACE_RATIO`` as wide as the largest: the
  photo does not say whom it enrols (a face far behind the subject is not counted);
- the face is narrower than the minimum (too little detail to match against);
- the face is blurred: its sharpness (recognition.face_quality) is under the minimum.

Pure: the detector's results and the image in, the chosen face or a refusal out.
"""

import enum
from typing import Final

from recognition.engine import FaceResult
from recognition.face_quality import sharpness
from recognition.faces import ImageArray

SECOND_FACE_RATIO: Final = 0.5
DEFAULT_MIN_FACE_PX: Final = 48
DEFAULT_MIN_SHARPNESS: Final = 30.0


class Refusal(enum.Enum):
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    FACE_TOO_SMALL = "face_too_small"
    FACE_TOO_BLURRED = "face_too_blurred"


class EnrolmentRefused(Exception):
    """The photo cannot be enrolled; ``reason`` says why, with the figures that decided it."""

    def __init__(
        self, reason: Refusal, *, faces: int = 0, width_px: float = 0.0, sharpness: float = 0.0
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.faces = faces
        self.width_px = width_px
        self.sharpness = sharpness


def choose_face(
    image: ImageArray,
    results: list[FaceResult],
    *,
    min_face_px: float = DEFAULT_MIN_FACE_PX,
    min_sharpness: float = DEFAULT_MIN_SHARPNESS,
) -> FaceResult:
    """The face to enrol (the largest), or EnrolmentRefused saying why there is none."""
    if not results:
        raise EnrolmentRefused(Refusal.NO_FACE)
    ranked = sorted(results, key=lambda r: r.face.width_px, reverse=True)
    largest = ranked[0]
    rivals = [r for r in ranked[1:] if r.face.width_px >= SECOND_FACE_RATIO * largest.face.width_px]
    if rivals:
        raise EnrolmentRefused(Refusal.SEVERAL_FACES, faces=1 + len(rivals))
    width_px = largest.face.width_px
    if width_px < min_face_px or largest.embedding is None:
        raise EnrolmentRefused(Refusal.FACE_TOO_SMALL, faces=1, width_px=width_px)
    sharp = sharpness(image, largest.face.box)
    if sharp < min_sharpness:
        raise EnrolmentRefused(
            Refusal.FACE_TOO_BLURRED, faces=1, width_px=width_px, sharpness=sharp
        )
    return largest
