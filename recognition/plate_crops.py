"""Plate crops for the reader: which part of a detected box the recognizer is shown.

Theory of operation. The detector's box holds the whole plate: its frame, and on many plates (most
US ones) a state name above the characters and a slogan or dealer text below them. The reader
reads one line of text squeezed to 48 pixels high, so that extra text both shrinks the characters
and gets read into them. ``character_band`` finds the row of the plate's characters the way
classic ALPR segments them: binarise the crop (Otsu, both polarities, since some plates are light
on dark), take the connected blobs shaped like characters, and keep the largest group of blobs
of about the same height on about the same line. The crop is then cut to that band with a margin.
When no such row is found (blur, low contrast, characters joined to the frame), a fixed share is
trimmed from the top and bottom instead: the characters of a plate never reach its edges.
"""

from typing import Final

import cv2
import numpy as np

from recognition.faces import ImageArray

MIN_BAND_CHARACTERS: Final = 3
"""Fewer blobs in a row than this is not taken for the plate's characters."""
CHARACTER_HEIGHT_SHARE: Final = (0.25, 0.95)
"""A character's height against the crop's: smaller blobs are bolts, dirt or small print."""
CHARACTER_WIDTH_SHARE: Final = (0.02, 0.25)
MIN_CHARACTER_FILL: Final = 0.15
"""Share of a character's bounding box its ink covers: thin outlines and frame lines cover less."""
SAME_HEIGHT_TOLERANCE: Final = 0.2
"""Blobs of one row differ in height by at most this share of the row's height..."""
SAME_LINE_TOLERANCE: Final = 0.25
"""... and their vertical centres by at most this share of it."""
DEFAULT_BAND_MARGIN: Final = 0.2
"""Kept above and below the band, as a share of its height (PP-OCR is trained on such margins)."""
DEFAULT_FALLBACK_TRIM: Final = 0.15
"""Trimmed from the top and from the bottom of a crop whose characters could not be found: on
the US set 10-15 % read best (a state name above, a slogan below), on EU plates it cuts nothing."""

Band = tuple[int, int]  # top and bottom row of the characters, in crop pixels


def _character_blobs(mask: ImageArray) -> list[tuple[int, int]]:
    """(top, bottom) of every blob of the binary mask shaped like a plate character."""
    height, width = mask.shape[:2]
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    blobs = []
    for x, y, blob_w, blob_h, area in stats[1:]:
        tall_enough = CHARACTER_HEIGHT_SHARE[0] <= blob_h / height <= CHARACTER_HEIGHT_SHARE[1]
        narrow_enough = CHARACTER_WIDTH_SHARE[0] <= blob_w / width <= CHARACTER_WIDTH_SHARE[1]
        inside = x > 0 and x + blob_w < width  # a blob cut by the crop's side is frame or border
        filled = area >= MIN_CHARACTER_FILL * blob_w * blob_h
        if tall_enough and narrow_enough and inside and filled:
            blobs.append((int(y), int(y + blob_h)))
    return blobs


def _largest_row(blobs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The biggest group of blobs of about one height on about one line, tallest blobs first."""
    rows: list[list[tuple[int, int]]] = []
    for top, bottom in sorted(blobs, key=lambda blob: blob[0] - blob[1]):
        for row in rows:
            row_top, row_bottom = row[0]
            size = row_bottom - row_top
            same_height = abs((bottom - top) - size) <= SAME_HEIGHT_TOLERANCE * size
            centre_shift = abs((top + bottom) - (row_top + row_bottom)) / 2
            same_line = centre_shift <= SAME_LINE_TOLERANCE * size
            if same_height and same_line:
                row.append((top, bottom))
                break
        else:
            rows.append([(top, bottom)])
    return max(rows, key=len, default=[])


def character_band(crop: ImageArray) -> Band | None:
    """Top and bottom of the plate's row of characters in a BGR crop, or None if none is seen."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    best: list[tuple[int, int]] = []
    for polarity in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):  # dark on light, light on dark
        _, mask = cv2.threshold(grey, 0, 255, polarity | cv2.THRESH_OTSU)
        row = _largest_row(_character_blobs(np.asarray(mask, dtype=np.uint8)))
        if len(row) > len(best):
            best = row
    if len(best) < MIN_BAND_CHARACTERS:
        return None
    return int(np.median([top for top, _ in best])), int(np.median([bottom for _, bottom in best]))


def cut_to_band(crop: ImageArray, band: Band, margin: float = DEFAULT_BAND_MARGIN) -> ImageArray:
    """The rows of the crop from the band's top to its bottom, ``margin`` of its height beyond."""
    top, bottom = band
    extra = round((bottom - top) * margin)
    return crop[max(0, top - extra) : min(crop.shape[0], bottom + extra)]


def trimmed(crop: ImageArray, share: float) -> ImageArray:
    """The crop with ``share`` of its height cut from the top and from the bottom."""
    height = crop.shape[0]
    cut = min(int(height * share), (height - 1) // 2)
    return crop[cut : height - cut]
