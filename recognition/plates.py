"""Licence plates: YOLOv8 detection, PP-OCR recognition of each crop, CTC decoding.

Theory of operation. The detector sees the frame letterboxed into its square input (aspect kept,
grey padding) and answers, for each of its anchor points, a box (centre x, centre y, width, height
in input pixels) followed by one score per class; a segmentation model adds mask coefficients,
which are ignored. The recognizer reads a 48-pixel-high strip of any width and answers, for each
horizontal step, a probability per character of its dictionary (shipped as the model's
``character`` metadata); greedy CTC decoding keeps the best character per step, merges repeats
and drops the blank, and keeps each character's probability and runner-up characters (glyphs), so
the plate grammar can repair a position to the reader's own second guess and drop an unsure
character where an emblem sits. Each box is read cut to its row of characters (``plate_crops``);
a reading that fits no layout gets a second look at the box trimmed by a fixed share instead.
"""

from collections.abc import Sequence
from typing import Final

import cv2
import msgspec
import numpy as np
import numpy.typing as npt

from recognition.faces import ImageArray, as_bgr
from recognition.geometry import non_max_suppression
from recognition.plate_crops import (
    DEFAULT_BAND_MARGIN,
    DEFAULT_FALLBACK_TRIM,
    character_band,
    cut_to_band,
    trimmed,
)
from recognition.plate_format import (
    UZBEK,
    Glyph,
    PlateGrammar,
    PlateKind,
    PlateText,
    parse_glyphs,
)
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
CTC_BLANK: Final = 0
GLYPH_ALTERNATIVES: Final = 3
"""Runner-up characters kept per glyph: enough for a letter and a digit look-alike."""


class PlateReading(msgspec.Struct, frozen=True):
    box: tuple[float, float, float, float]  # x, y, width, height in frame pixels
    detection_score: float
    raw: str  # what the recognizer read, as it read it
    text: PlateText  # the normalised form, with its own confidence and uncertain positions
    confidence: float  # mean probability of the characters read, before any grammar


class _Option(msgspec.Struct, frozen=True):
    """One crop's reading, ordered as the reader prefers: fits a layout, then most confident."""

    fits: bool
    confidence: float
    raw: str
    text: PlateText


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


def ctc_glyphs(
    probabilities: FloatArray, alphabet: Sequence[str], alternatives: int = GLYPH_ALTERNATIVES
) -> list[Glyph]:
    """Greedy CTC decoding of (steps, classes) probabilities; class 0 is blank.

    Each run of steps whose best class is the same character gives one glyph: that character at
    its highest probability over the run, and the ``alternatives`` likeliest other characters
    over the same steps (what a layout may repair the position to).
    """
    best = probabilities.argmax(axis=1)
    starts = np.flatnonzero(np.diff(best, prepend=-1) != 0)
    ends = np.append(starts[1:], len(best))
    glyphs = []
    for start, end in zip(starts, ends, strict=True):
        index = int(best[start])
        if index == CTC_BLANK:
            continue
        run = probabilities[start:end].max(axis=0)
        run[[CTC_BLANK, index]] = -1.0
        others = _likeliest(run, alternatives)
        glyphs.append(
            Glyph(
                alphabet[index],
                float(np.max(probabilities[start:end, index])),
                tuple((alphabet[int(i)], float(run[i])) for i in others if run[i] > 0),
            )
        )
    return glyphs


def _likeliest(values: FloatArray, count: int) -> npt.NDArray[np.intp]:
    """Indices of the ``count`` largest values, largest first. A partition, not a sort: the
    reader's alphabet has 18,710 classes and a full sort per glyph cost ~1 ms."""
    count = min(count, len(values))
    if count <= 0:
        return np.empty(0, dtype=np.intp)
    top = np.argpartition(-values, count - 1)[:count]
    ordered: npt.NDArray[np.intp] = top[np.argsort(-values[top], kind="stable")]
    return ordered


def ctc_greedy_decode(probabilities: FloatArray, alphabet: Sequence[str]) -> tuple[str, float]:
    """Text and mean character probability from (steps, classes) probabilities; class 0 is blank."""
    glyphs = ctc_glyphs(probabilities, alphabet, alternatives=0)
    return "".join(g.char for g in glyphs), mean_probability(glyphs)


def mean_probability(glyphs: Sequence[Glyph]) -> float:
    return sum(g.probability for g in glyphs) / len(glyphs) if glyphs else 0.0


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
        band_margin: float = DEFAULT_BAND_MARGIN,
        fallback_trim: float = DEFAULT_FALLBACK_TRIM,
        grammar: PlateGrammar = UZBEK,
    ) -> None:
        self._detector, self._reader = detector, reader
        self._alphabet = reader_alphabet(reader.metadata)
        self._detector_px = detector.input_shapes[0][2] or DETECTOR_INPUT_PX
        self.min_score, self.max_box_iou = min_score, max_box_iou
        self.max_plates, self.crop_shrink = max_plates, crop_shrink
        self.band_margin, self.fallback_trim = band_margin, fallback_trim
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

    def read_crops(self, crops: Sequence[ImageArray]) -> list[list[Glyph]]:
        """The glyphs of each plate crop, in one recognizer call.

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
        return [ctc_glyphs(steps, self._alphabet) for steps in probabilities]

    def views(self, image: ImageArray, box: FloatArray) -> list[ImageArray]:
        """Crops of the box to read, first choice first: cut to its row of characters when one is
        found, then trimmed by a fixed share (the only view when no row is found)."""
        height, width = image.shape[:2]
        x1, y1, x2, y2 = shrink_box(box, self.crop_shrink, height, width)
        crop = image[y1:y2, x1:x2]
        plain = trimmed(crop, self.fallback_trim)
        band = character_band(crop)
        return [plain] if band is None else [cut_to_band(crop, band, self.band_margin), plain]

    def _option(self, glyphs: list[Glyph], grammar: PlateGrammar) -> _Option:
        text = parse_glyphs(glyphs, grammar)
        raw = "".join(glyph.char for glyph in glyphs)
        return _Option(text.kind != PlateKind.FOREIGN, mean_probability(glyphs), raw, text)

    def _read_box(self, image: ImageArray, box: FloatArray, grammar: PlateGrammar) -> _Option:
        """The box's reading: the first view's, unless it fits no layout; then the other view is
        read too and the better reading (fits a layout, then more confident) wins."""
        first, *others = self.views(image, box)
        (glyphs,) = self.read_crops([first])
        option = self._option(glyphs, grammar)
        if option.fits or not others:
            return option
        return max(
            [option, *(self._option(g, grammar) for g in self.read_crops(others))],
            key=lambda o: (o.fits, o.confidence),
        )

    def read(self, image: ImageArray, grammar: PlateGrammar | None = None) -> list[PlateReading]:
        """Every plate found, best first, read in ``grammar`` (default: the reader's own)."""
        image = as_bgr(image)
        boxes, scores = self.detect(image)
        readings = []
        for box, score in zip(boxes, scores, strict=True):
            best = self._read_box(image, box, grammar or self.grammar)
            left, top, right, bottom = (float(v) for v in box)
            readings.append(
                PlateReading(
                    (left, top, right - left, bottom - top),
                    float(score),
                    best.raw,
                    best.text,
                    best.confidence,
                )
            )
        return readings
