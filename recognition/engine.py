"""The loaded pipelines behind one object: what a camera frame or an uploaded photo goes through.

Each pipeline loads on first use, so a plate-only deployment never pays for the face models and
the other way round. A ``Recognizer`` is used by one thread at a time (the runners are not
re-entrant); the server gives it one worker thread and queues frames in front of it.
"""

from pathlib import Path
from typing import Final

import cv2
import msgspec
import numpy as np

from recognition.errors import ImageError
from recognition.faces import (
    ALIGNED_FACE_PX,
    DEFAULT_MAX_SIDE_PX,
    Face,
    FaceDetector,
    FaceEmbedder,
    ImageArray,
    as_bgr,
)
from recognition.models import ModelPaths
from recognition.plate_format import UZBEK, PlateGrammar
from recognition.plates import PlateReader, PlateReading
from recognition.runner import FloatArray, ModelRunner

DEFAULT_MIN_FACE_PX: Final = 32
"""Below ~32 px wide a face is matched unreliably (93 % hits at 32 px, ~58 % at 24 px)."""
CROP_JPEG_QUALITY: Final = 90
WARM_UP_FRAME_PX: Final = (1280, 720)


class FaceResult(msgspec.Struct, frozen=True):
    face: Face
    embedding: FloatArray | None  # None when the face is too small to be matched


class Recognizer:
    def __init__(
        self,
        paths: ModelPaths,
        *,
        intra_op_threads: int = 1,
        min_face_px: int = DEFAULT_MIN_FACE_PX,
        face_detect_px: int = DEFAULT_MAX_SIDE_PX,
        plate_grammar: PlateGrammar = UZBEK,
        providers: tuple[str, ...] = ("CPUExecutionProvider",),
    ) -> None:
        self._paths = paths
        self.providers = providers  # onnxruntime execution providers, best first
        self._threads = intra_op_threads
        self.min_face_px = min_face_px
        self.face_detect_px = face_detect_px
        self.plate_grammar = plate_grammar
        self._faces: tuple[FaceDetector, FaceEmbedder] | None = None
        self._plates: PlateReader | None = None

    def _runner(self, path: Path) -> ModelRunner:
        return ModelRunner(path, intra_op_threads=self._threads, providers=self.providers)

    def face_pipeline(self) -> tuple[FaceDetector, FaceEmbedder]:
        if self._faces is None:
            detector = FaceDetector(
                self._runner(self._paths.face_detector), max_side_px=self.face_detect_px
            )
            self._faces = (detector, FaceEmbedder(self._runner(self._paths.face_embedder)))
        return self._faces

    def plate_reader(self) -> PlateReader:
        if self._plates is None:
            self._plates = PlateReader(
                self._runner(self._paths.plate_detector),
                self._runner(self._paths.plate_reader),
                grammar=self.plate_grammar,
            )
        return self._plates

    def warm_up(self, size_px: tuple[int, int] = WARM_UP_FRAME_PX) -> None:
        """Load every model and run each once on a blank frame (first runs allocate)."""
        width, height = size_px
        blank = np.zeros((height, width, 3), np.uint8)
        self.faces(blank)
        _, embedder = self.face_pipeline()
        embedder.embed_aligned([np.zeros((ALIGNED_FACE_PX, ALIGNED_FACE_PX, 3), np.uint8)])
        self.plates(blank)

    def faces(self, image: ImageArray) -> list[FaceResult]:
        """Every face, best first; those wide enough are embedded, all in one model call."""
        detector, embedder = self.face_pipeline()
        image = as_bgr(image)
        found = detector.detect(image)
        usable = [face for face in found if face.width_px >= self.min_face_px]
        embedded = {id(e.face): e.embedding for e in embedder.embed(image, usable)}
        return [FaceResult(face, embedded.get(id(face))) for face in found]

    def plates(self, image: ImageArray, grammar: PlateGrammar | None = None) -> list[PlateReading]:
        return self.plate_reader().read(image, grammar)


def largest_face(results: list[FaceResult]) -> FaceResult | None:
    """The biggest embedded face: the subject of an enrolment photo."""
    embedded = [r for r in results if r.embedding is not None]
    return max(embedded, key=lambda r: r.face.box[2] * r.face.box[3], default=None)


def crop_jpeg(image: ImageArray, box: tuple[float, float, float, float], margin: float) -> bytes:
    """The box grown by ``margin`` of its size on every side, clipped to the frame, as JPEG."""
    height, width = image.shape[:2]
    x, y, box_w, box_h = box
    left, top = max(0, int(x - box_w * margin)), max(0, int(y - box_h * margin))
    right = min(width, max(left + 1, int(x + box_w * (1 + margin))))
    bottom = min(height, max(top + 1, int(y + box_h * (1 + margin))))
    region = np.ascontiguousarray(image[top:bottom, left:right])
    ok, encoded = cv2.imencode(".jpg", region, [cv2.IMWRITE_JPEG_QUALITY, CROP_JPEG_QUALITY])
    if not ok:
        raise ImageError("the crop could not be encoded as JPEG")
    return bytes(encoded.tobytes())
