"""Licence plates: YOLOv8 detection, PP-OCR recognition of each crop, CTC decoding.

Theory of operation. The detector sees the frame letterboxed into its square input (aspect kept,
grey padding) and answers, for each of its anchor points, a box (centre x, centre y, width, height
in input pixels) followed by one score per class; a segmentation model adds mask coefficients,
which are ignored. The recognizer reads a 48-pixel-high strip of any width and answers, for each
horizontal step, a probability per character of its dictionary (shipped as the model's
``character`` metadata); greedy CTC decoding keeps the best character per step, merges repeats
and drops the blank.
"""

from collections.abc import Sequence
from typing import Final

import cv2
import msgspec
import numpy as np

from recognition.faces import ImageArray, as_bgr
from recognition.geometry import non_max_suppression
from recognition.plate_format import UZBEK, PlateGrammar, PlateKind, PlateText, parse_plate
from recognition.runner import FloatArray, ModelRunner

DETECTOR_INPUT_PX: Final = 640
"""Used when the detector's input size is not fixed in the model file."""
LETTERBOX_GREY: Final = 114
DEFAULT_MIN_DETECTION_SCORE: Final = 0.25
DEFAULT_MAX_BOX_IOU: Final = 0.5
DEFAULT_MAX_PLATES: Final = 5
READER_HEIGHT_PX: Final = 48
READER_MIN_WIDTH_PX: Final = 320
"""PP-OCR's reader is fed strips at least this wide (shorter crops are padded, as in training)."""
DEFAULT_CROP_SHRINK: Final = 0.04
"""Share of the box trimmed from each dimension: drops frame edges the OCR reads as I or 1."""
SECOND_LOOK_SHRINKS: Final = (0.10, 0.0, -0.04)
"""Other crops of the same box, read only when the first reading fits no layout of the grammar
(a frame edge or a neighbouring sticker read as a character; a box cut too tight). On the US set
this lifts exact reads by 3 points at no cost for plates that read cleanly the first time."""
CTC_BLANK: Final = 0


class PlateReading(msgspec.Struct, frozen=True):
    box: tuple[float, float, float, float]  # x, y, width, height in frame pixels
    detection_score: float
    raw: str  # what the recognizer read, as it read it
    text: PlateText  # the normalised form (Uzbek grammar or folded foreign text)
    confidence: float  # mean probability of the characters read


def letterbox(image: ImageArray, size_px: int) -> tuple[ImageArray, float, tuple[int, int]]:
    """Resize keeping aspect into a sizexsize grey square; return it, the scale and the offset."""
    height, width = image.shape[:2]
    scale = size_px / max(height, width)
    new_w, new_h = round(width * scale), round(height * scale)
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    left, top = (size_px - new_w) // 2, (size_px - new_h) // 2
    canvas = np.full((size_px, size_px, 3), LETTERBOX_GREY, dtype=np.uint8)
    canvas[top : top + new_h, left : left + new_w] = resized
    return canvas, scale, (left, top)


def decode_yolo(
    output: FloatArray, class_count: int, min_score: float
) -> tuple[FloatArray, FloatArray]:
    """Boxes (N, 4) as x1, y1, x2, y2 in input pixels and best-class scores (N,)."""
    predictions = output[0].T  # (anchors, 4 + classes + extra)
    scores = predictions[:, 4 : 4 + class_count].max(axis=1)
    keep = scores >= min_score
    centre, size = predictions[keep, 0:2], predictions[keep, 2:4]
    boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
    return boxes.astype(np.float32), scores[keep].astype(np.float32)


def ctc_greedy_decode(probabilities: FloatArray, alphabet: Sequence[str]) -> tuple[str, float]:
    """Text and mean character probability from (steps, classes) probabilities; class 0 is blank."""
    best = probabilities.argmax(axis=1)
    best_probability = probabilities.max(axis=1)
    is_new = np.ones_like(best, dtype=bool)
    is_new[1:] = best[1:] != best[:-1]
    kept = is_new & (best != CTC_BLANK)
    text = "".join(alphabet[index] for index in best[kept])
    confidence = float(best_probability[kept].mean()) if kept.any() else 0.0
    return text, confidence


def reader_alphabet(metadata: dict[str, str]) -> list[str]:
    """Class index → character: blank, the dictionary lines, then the space PaddleOCR appends."""
    return ["", *metadata["character"].split("\n"), " "]


def reader_strip(crop: ImageArray) -> FloatArray:
    """A crop as PP-OCR wants it: BGR, 48 px high, scaled to -1..1, right-padded with zeros."""
    height, width = crop.shape[:2]
    new_width = max(1, min(round(READER_HEIGHT_PX * width / height), 4 * READER_MIN_WIDTH_PX))
    resized = cv2.resize(crop, (new_width, READER_HEIGHT_PX), interpolation=cv2.INTER_LINEAR)
    strip = np.zeros((3, READER_HEIGHT_PX, max(new_width, READER_MIN_WIDTH_PX)), np.float32)
    strip[:, :, :new_width] = resized.transpose(2, 0, 1).astype(np.float32) / 127.5 - 1.0
    return strip


def shrink_box(box: FloatArray, share: float, height: int, width: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * share / 2, (y2 - y1) * share / 2
    left, top = max(0, int(x1 + dx)), max(0, int(y1 + dy))
    return (
        left,
        top,
        min(width, max(left + 1, int(x2 - dx))),
        min(height, max(top + 1, int(y2 - dy))),
    )


class PlateReader:
    def __init__(
        self,
        detector: ModelRunner,
        reader: ModelRunner,
        *,
        min_score: float = DEFAULT_MIN_DETECTION_SCORE,
        max_box_iou: float = DEFAULT_MAX_BOX_IOU,
        max_plates: int = DEFAULT_MAX_PLATES,
        crop_shrink: float = DEFAULT_CROP_SHRINK,
        grammar: PlateGrammar = UZBEK,
    ) -> None:
        self._detector, self._reader = detector, reader
        self._alphabet = reader_alphabet(reader.metadata)
        self._detector_px = detector.input_shapes[0][2] or DETECTOR_INPUT_PX
        self.min_score, self.max_box_iou = min_score, max_box_iou
        self.max_plates, self.crop_shrink = max_plates, crop_shrink
        self.grammar = grammar

    def detect(self, image: ImageArray) -> tuple[FloatArray, FloatArray]:
        """Plate boxes (x1, y1, x2, y2 in frame pixels) and scores, best first."""
        canvas, scale, (left, top) = letterbox(as_bgr(image), self._detector_px)
        tensor = canvas[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255.0  # RGB 0..1
        output = self._detector.run({self._detector.input_names[0]: tensor})[0]
        boxes, scores = decode_yolo(output, class_count=1, min_score=self.min_score)
        kept = non_max_suppression(boxes, scores, self.max_box_iou)[: self.max_plates]
        offset = np.array([left, top, left, top], dtype=np.float32)
        return (boxes[kept] - offset) / scale, scores[kept]

    def read_crops(self, crops: Sequence[ImageArray]) -> list[tuple[str, float]]:
        """Text and confidence of each plate crop, in one recognizer call.

        Strips are right-padded to the widest, the same padding every strip already gets up to
        READER_MIN_WIDTH_PX, so crops of one box (similar widths) cost little more than one.
        """
        if not crops:
            return []
        strips = [reader_strip(crop) for crop in crops]
        batch = np.zeros((len(strips), 3, READER_HEIGHT_PX, max(s.shape[2] for s in strips)))
        for row, strip in enumerate(strips):
            batch[row, :, :, : strip.shape[2]] = strip
        (probabilities,) = self._reader.run({self._reader.input_names[0]: batch.astype(np.float32)})
        return [ctc_greedy_decode(steps, self._alphabet) for steps in probabilities]

    def _crop(self, image: ImageArray, box: FloatArray, shrink: float) -> ImageArray:
        height, width = image.shape[:2]
        x1, y1, x2, y2 = shrink_box(box, shrink, height, width)
        return image[y1:y2, x1:x2]

    def _read_box(
        self, image: ImageArray, box: FloatArray, grammar: PlateGrammar
    ) -> tuple[str, float, PlateText]:
        """The box's reading; other crops of it are read (together) only if the first fits no
        layout, and then the best-fitting, most confident reading wins."""
        ((raw, confidence),) = self.read_crops([self._crop(image, box, self.crop_shrink)])
        text = parse_plate(raw, grammar)
        if text.kind != PlateKind.FOREIGN:
            return raw, confidence, text
        tried = [(False, confidence, raw, text)]
        second = self.read_crops([self._crop(image, box, s) for s in SECOND_LOOK_SHRINKS])
        for raw, confidence in second:
            text = parse_plate(raw, grammar)
            tried.append((text.kind != PlateKind.FOREIGN, confidence, raw, text))
        _, confidence, raw, text = max(tried, key=lambda option: option[:2])
        return raw, confidence, text

    def read(self, image: ImageArray, grammar: PlateGrammar | None = None) -> list[PlateReading]:
        """Every plate found, best first, read in ``grammar`` (default: the reader's own)."""
        image = as_bgr(image)
        boxes, scores = self.detect(image)
        readings = []
        for box, score in zip(boxes, scores, strict=True):
            raw, confidence, text = self._read_box(image, box, grammar or self.grammar)
            left, top, right, bottom = (float(v) for v in box)
            readings.append(
                PlateReading(
                    (left, top, right - left, bottom - top), float(score), raw, text, confidence
                )
            )
        return readings
