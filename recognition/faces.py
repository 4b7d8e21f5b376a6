"""Faces: YuNet detection, 5-point alignment, SFace embedding.

Theory of operation. YuNet is anchor-free: at strides 8, 16 and 32 every grid cell predicts a
class and an objectness score, a box (centre offset in cells, log size in cells) and five landmarks
(offsets in cells). The model takes any height/width that is a multiple of 32, so a frame is padded
on the right and bottom rather than resized, and coordinates need no rescaling unless the frame
was shrunk to ``max_side_px``. Each face is warped by the similarity transform that puts its
landmarks on SFace's 112x112 template (the ArcFace template), all faces of a frame are embedded in
one batch, and embeddings are L2-normalised so a dot product is the cosine similarity.
"""

from collections.abc import Mapping, Sequence
from typing import Final

import cv2
import msgspec
import numpy as np
import numpy.typing as npt

from recognition.errors import ImageError
from recognition.geometry import non_max_suppression, similarity_transform, xywh_to_xyxy
from recognition.runner import FloatArray, ModelRunner

ImageArray = npt.NDArray[np.uint8]

YUNET_STRIDES: Final = (8, 16, 32)
YUNET_INPUT_MULTIPLE_PX: Final = 32
ALIGNED_FACE_PX: Final = 112
EMBEDDING_SIZE: Final = 128
# Where SFace expects right eye, left eye, nose tip, right and left mouth corner in a 112x112 crop.
SFACE_TEMPLATE_PX: Final = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)
DEFAULT_MIN_DETECTION_SCORE: Final = 0.8
"""YuNet's sqrt(class x objectness); OpenCV's default is 0.9, lower finds more angled faces."""
DEFAULT_MAX_BOX_IOU: Final = 0.3
DEFAULT_MAX_SIDE_PX: Final = 1280
"""Frames larger than this are shrunk before detection (cost grows with the pixel count)."""


class Face(msgspec.Struct, frozen=True):
    box: tuple[float, float, float, float]  # x, y, width, height in frame pixels
    score: float
    landmarks: tuple[tuple[float, float], ...]  # five (x, y) points in frame pixels

    @property
    def width_px(self) -> float:
        return self.box[2]


class EmbeddedFace(msgspec.Struct, frozen=True):
    face: Face
    embedding: FloatArray  # shape (128,), unit length


def pad_to_multiple(image: ImageArray, multiple: int) -> ImageArray:
    """Pad bottom and right with black so both sides are multiples of ``multiple``."""
    height, width = image.shape[:2]
    pad_bottom, pad_right = -height % multiple, -width % multiple
    if not pad_bottom and not pad_right:
        return image
    padded = cv2.copyMakeBorder(image, 0, pad_bottom, 0, pad_right, cv2.BORDER_CONSTANT, value=0)
    return np.asarray(padded, dtype=np.uint8)


def decode_yunet(
    outputs: Mapping[str, FloatArray],
    height: int,
    width: int,
    min_score: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Boxes (N, 4) as x, y, w, h, scores (N,), landmarks (N, 5, 2), before suppression."""
    boxes, scores, landmarks = [], [], []
    for stride in YUNET_STRIDES:
        columns = width // stride
        cls = np.clip(outputs[f"cls_{stride}"].reshape(-1), 0.0, 1.0)
        obj = np.clip(outputs[f"obj_{stride}"].reshape(-1), 0.0, 1.0)
        score = np.sqrt(cls * obj)
        cells = np.flatnonzero(score >= min_score)
        cell_xy = np.stack([cells % columns, cells // columns], axis=1).astype(np.float32)
        raw_box = outputs[f"bbox_{stride}"].reshape(-1, 4)[cells]
        size = np.exp(raw_box[:, 2:4]) * stride
        centre = (cell_xy + raw_box[:, 0:2]) * stride
        boxes.append(np.concatenate([centre - size / 2, size], axis=1))
        points = outputs[f"kps_{stride}"].reshape(-1, 5, 2)[cells]
        landmarks.append((points + cell_xy[:, None, :]) * stride)
        scores.append(score[cells])
    return (
        np.concatenate(boxes).astype(np.float32),
        np.concatenate(scores).astype(np.float32),
        np.concatenate(landmarks).astype(np.float32),
    )


def alignment_matrix(landmarks: FloatArray) -> FloatArray:
    """The 2x3 affine matrix taking a face's five landmarks to SFace's template."""
    return similarity_transform(landmarks.astype(np.float32), SFACE_TEMPLATE_PX)


def align_face(image: ImageArray, landmarks: FloatArray) -> ImageArray:
    matrix = alignment_matrix(landmarks)
    size = (ALIGNED_FACE_PX, ALIGNED_FACE_PX)
    return np.asarray(cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR), dtype=np.uint8)


def l2_normalise(vectors: FloatArray) -> FloatArray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: FloatArray = (vectors / np.maximum(norms, np.finfo(np.float32).tiny)).astype(np.float32)
    return unit


def as_bgr(image: ImageArray) -> ImageArray:
    """Accept a grey or BGR uint8 image; return 3-channel BGR."""
    if image.dtype != np.uint8:
        raise ImageError(f"expected an 8-bit image, got {image.dtype}")
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise ImageError(f"expected a grey or BGR image, got shape {image.shape}")


class FaceDetector:
    def __init__(
        self,
        runner: ModelRunner,
        *,
        min_score: float = DEFAULT_MIN_DETECTION_SCORE,
        max_box_iou: float = DEFAULT_MAX_BOX_IOU,
        max_side_px: int = DEFAULT_MAX_SIDE_PX,
    ) -> None:
        self._runner = runner
        self.min_score = min_score
        self.max_box_iou = max_box_iou
        self.max_side_px = max_side_px

    def detect(self, image: ImageArray) -> list[Face]:
        """Faces in a BGR frame, best score first, in the frame's own pixel coordinates."""
        image = as_bgr(image)
        scale = min(1.0, self.max_side_px / max(image.shape[:2]))
        if scale < 1.0:
            resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            image = np.asarray(resized, dtype=np.uint8)
        padded = pad_to_multiple(image, YUNET_INPUT_MULTIPLE_PX)
        tensor = padded.transpose(2, 0, 1)[None].astype(np.float32)  # BGR, 0..255, NCHW
        outputs = dict(
            zip(self._runner.output_names, self._runner.run({"input": tensor}), strict=True)
        )
        height, width = padded.shape[:2]
        boxes, scores, points = decode_yunet(outputs, height, width, self.min_score)
        kept = non_max_suppression(xywh_to_xyxy(boxes), scores, self.max_box_iou)
        return [_face(boxes[i] / scale, float(scores[i]), points[i] / scale) for i in kept]


def _face(box: FloatArray, score: float, landmarks: FloatArray) -> Face:
    x, y, width, height = (float(v) for v in box)
    points = tuple((float(px), float(py)) for px, py in landmarks)
    return Face(box=(x, y, width, height), score=score, landmarks=points)


class FaceEmbedder:
    def __init__(self, runner: ModelRunner) -> None:
        self._runner = runner
        self._input_name = runner.input_names[0]

    def embed_aligned(self, faces: Sequence[ImageArray]) -> FloatArray:
        """Unit-length embeddings (N, 128) of 112x112 BGR aligned faces, one model call."""
        if not faces:
            return np.empty((0, EMBEDDING_SIZE), dtype=np.float32)
        batch = np.stack([face[:, :, ::-1] for face in faces]).transpose(0, 3, 1, 2)  # to RGB
        (embeddings,) = self._runner.run({self._input_name: batch.astype(np.float32)})
        return l2_normalise(embeddings)

    def embed(self, image: ImageArray, faces: Sequence[Face]) -> list[EmbeddedFace]:
        image = as_bgr(image)
        aligned = [align_face(image, np.asarray(face.landmarks, np.float32)) for face in faces]
        embeddings = self.embed_aligned(aligned)
        return [EmbeddedFace(face, vector) for face, vector in zip(faces, embeddings, strict=True)]
