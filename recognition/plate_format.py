"""Plate text: the Uzbek plate grammar, folding for comparison, fuzzy list matching.

Uzbek plates carry a two-digit region code and one of two layouts: private ``30 A 123 BC``
(digit digit, letter, three digits, two letters) and organisations ``30 123 ABC``. Because each
position is known to hold a digit or a letter, the reader's usual confusions (O/0, Q/0, I/1) can be
repaired per position. Text that fits neither layout, or only with too many repairs, is foreign
and kept as read. Lists compare *folded* text (O and Q as 0, I as 1) on both sides, since neither
the readers nor the people typing lists tell those apart reliably.
"""

import enum
import re
from collections.abc import Iterable
from typing import Final

import msgspec

UZ_REGION_CODES: Final = frozenset(
    {"01", "10", "20", "25", "30", "40", "50", "60", "70", "75", "80", "85", "90", "95"}
)
DEFAULT_MAX_REPAIRS: Final = 2
"""More changed characters than this and the text is more likely foreign than misread."""

_LAYOUTS: Final = {  # layout name → (character classes: D digit, L letter; group sizes for display)
    "uz_private": ("DDLDDDLL", (2, 1, 3, 2)),
    "uz_organisation": ("DDDDDLLL", (2, 3, 3)),
}
_TO_DIGIT: Final = {"O": "0", "Q": "0", "I": "1"}
_TO_LETTER: Final = {"0": "O", "1": "I"}
_FOLD: Final = str.maketrans({"O": "0", "Q": "0", "I": "1"})
# Cyrillic capitals that look like Latin ones: readers trained on many scripts return either.
_HOMOGLYPHS: Final = str.maketrans(
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425", "ABEKMHOPCTYX"
)
_NOT_PLATE_CHARACTER: Final = re.compile(r"[^A-Z0-9]")
_COUNTRY_SUFFIX: Final = "UZ"


class PlateKind(enum.StrEnum):
    UZ_PRIVATE = "uz_private"
    UZ_ORGANISATION = "uz_organisation"
    FOREIGN = "foreign"


class PlateText(msgspec.Struct, frozen=True):
    text: str  # compact canonical form, e.g. "30A123BC"; for foreign plates the cleaned reading
    display: str  # grouped for people, e.g. "30 A 123 BC"
    kind: PlateKind
    repairs: int  # characters changed to fit the layout


def clean(raw: str) -> str:
    """Upper-case Latin letters and digits only."""
    return _NOT_PLATE_CHARACTER.sub("", raw.upper().translate(_HOMOGLYPHS))


def fold(text: str) -> str:
    """The comparison form: cleaned, with O and Q as 0 and I as 1."""
    return clean(text).translate(_FOLD)


def _fit(text: str, classes: str) -> tuple[str, int] | None:
    """Repair ``text`` to the digit/letter pattern; None when a position cannot be repaired."""
    if len(text) != len(classes):
        return None
    fixed, repairs = [], 0
    for char, kind in zip(text, classes, strict=True):
        wanted_digit = kind == "D"
        if char.isdigit() == wanted_digit:
            fixed.append(char)
            continue
        replacement = (_TO_DIGIT if wanted_digit else _TO_LETTER).get(char)
        if replacement is None:
            return None
        fixed.append(replacement)
        repairs += 1
    return "".join(fixed), repairs


def _grouped(text: str, groups: tuple[int, ...]) -> str:
    parts, start = [], 0
    for size in groups:
        parts.append(text[start : start + size])
        start += size
    return " ".join(parts)


def _candidates(cleaned: str) -> list[str]:
    if len(cleaned) > len(_COUNTRY_SUFFIX) and cleaned.endswith(_COUNTRY_SUFFIX):
        return [cleaned, cleaned[: -len(_COUNTRY_SUFFIX)]]  # the "UZ" beside the flag
    return [cleaned]


def parse_plate(raw: str, max_repairs: int = DEFAULT_MAX_REPAIRS) -> PlateText:
    """The Uzbek reading of ``raw`` with fewest repairs, else the cleaned text as foreign."""
    cleaned = clean(raw)
    best: PlateText | None = None
    for candidate in _candidates(cleaned):
        for kind, (classes, groups) in _LAYOUTS.items():
            fitted = _fit(candidate, classes)
            if fitted is None or fitted[1] > max_repairs or fitted[0][:2] not in UZ_REGION_CODES:
                continue
            if best is None or fitted[1] < best.repairs:
                best = PlateText(fitted[0], _grouped(fitted[0], groups), PlateKind(kind), fitted[1])
    return best or PlateText(cleaned, cleaned, PlateKind.FOREIGN, 0)


def edit_distance(first: str, second: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous = list(range(len(second) + 1))
    for row, char in enumerate(first, start=1):
        current = [row]
        for column, other in enumerate(second, start=1):
            cost = 0 if char == other else 1
            current.append(min(previous[column] + 1, current[-1] + 1, previous[column - 1] + cost))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


class PlateListMatch(msgspec.Struct, frozen=True):
    plate: str  # the list entry as it was entered
    distance: int  # edits between the folded reading and the folded entry


class PlateList:
    """A list of plates (own, wanted) matched by folded text within an edit distance."""

    def __init__(self, plates: Iterable[str]) -> None:
        self._by_folded: dict[str, str] = {}
        for plate in plates:
            self._by_folded.setdefault(fold(plate), plate)

    def __len__(self) -> int:
        return len(self._by_folded)

    def match(self, reading: str, max_edits: int = 0) -> PlateListMatch | None:
        """The closest entry within ``max_edits`` of the reading; exact hits are O(1)."""
        folded = fold(reading)
        if folded in self._by_folded:
            return PlateListMatch(self._by_folded[folded], 0)
        best: PlateListMatch | None = None
        if max_edits == 0 or not folded:
            return None
        for entry_folded, plate in self._by_folded.items():
            distance = edit_distance(folded, entry_folded, max_edits)
            if distance <= max_edits and (best is None or distance < best.distance):
                best = PlateListMatch(plate, distance)
        return best
