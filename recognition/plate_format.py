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
from collections.abc import Iterable, Iterator
from typing import Final

import msgspec

UZ_REGION_CODES: Final = frozenset(
    {"01", "10", "20", "25", "30", "40", "50", "60", "70", "75", "80", "85", "90", "95"}
)
DEFAULT_MAX_REPAIRS: Final = 2
"""More changed characters than this and the text is more likely foreign than misread."""
MAX_STRAY_CHARACTERS: Final = 3
"""Characters a reading may carry beside the plate (a flag's "UZ", a frame edge, a sticker)."""
MIN_TRIMMED_LENGTH: Final = 5

_TO_DIGIT: Final = {"O": "0", "Q": "0", "I": "1"}
_TO_LETTER: Final = {"0": "O", "1": "I"}
_FOLD: Final = str.maketrans({"O": "0", "Q": "0", "I": "1"})
# Cyrillic capitals that look like Latin ones: readers trained on many scripts return either.
_HOMOGLYPHS: Final = str.maketrans(
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425", "ABEKMHOPCTYX"
)
_NOT_PLATE_CHARACTER: Final = re.compile(r"[^A-Z0-9]")
_SEPARATOR: Final = re.compile(r"[^A-Z0-9]+")


class PlateKind(enum.StrEnum):
    UZ_PRIVATE = "uz_private"
    UZ_ORGANISATION = "uz_organisation"
    FOREIGN = "foreign"


class Layout(msgspec.Struct, frozen=True):
    """One plate layout: a character class per position (D digit, L letter) and its groups."""

    name: str
    classes: str
    groups: tuple[int, ...]
    prefixes: frozenset[str] = frozenset()  # non-empty: the plate must start with one of these

    @property
    def boundaries(self) -> frozenset[int]:
        """Positions where the plate shows a gap (a space, a dash, an emblem)."""
        ends, position = set(), 0
        for size in self.groups[:-1]:
            position += size
            ends.add(position)
        return frozenset(ends)


class PlateGrammar(msgspec.Struct, frozen=True):
    """The plate layouts a deployment expects; a reading that fits none is kept as read.

    ``no_letter_o``: the jurisdiction never issues the letter O (most US states), so an O read
    anywhere is the digit 0.
    """

    name: str
    layouts: tuple[Layout, ...]
    no_letter_o: bool = False


UZBEK: Final = PlateGrammar(
    "uz",
    (
        Layout(PlateKind.UZ_PRIVATE, "DDLDDDLL", (2, 1, 3, 2), UZ_REGION_CODES),
        Layout(PlateKind.UZ_ORGANISATION, "DDDDDLLL", (2, 3, 3), UZ_REGION_CODES),
    ),
)
EUROPEAN: Final = PlateGrammar(
    "eu",
    (
        Layout("eu_sk_fr_it", "LLDDDLL", (2, 3, 2)),  # Slovakia RK-123AB, France, Italy
        Layout("eu_uk", "LLDDLLL", (4, 3)),  # OY09 FEU
        Layout("eu_cz", "DLDDDDD", (3, 4)),  # 1B1 9839
        Layout("eu_es", "DDDDLLL", (4, 3)),  # 1234 BCD
    ),
)
NORTH_AMERICAN: Final = PlateGrammar(
    "us",
    (
        Layout("us_ca", "DLLLDDD", (1, 3, 3)),  # California 5ABC123
        Layout("us_3l4d", "LLLDDDD", (3, 4)),  # New York, Pennsylvania, Texas...
        Layout("us_3l3d", "LLLDDD", (3, 3)),
    ),
    no_letter_o=True,
)
GRAMMARS: Final = {grammar.name: grammar for grammar in (UZBEK, EUROPEAN, NORTH_AMERICAN)}


class PlateText(msgspec.Struct, frozen=True):
    text: str  # compact canonical form, e.g. "30A123BC"; for foreign plates the cleaned reading
    display: str  # grouped for people, e.g. "30 A 123 BC"
    kind: str  # the layout's name (a PlateKind for Uzbek plates), or "foreign"
    repairs: int  # characters changed to fit the layout


def clean(raw: str) -> str:
    """Upper-case Latin letters and digits only."""
    return _NOT_PLATE_CHARACTER.sub("", raw.upper().translate(_HOMOGLYPHS))


def fold(text: str) -> str:
    """The comparison form: cleaned, with O and Q as 0 and I as 1."""
    return clean(text).translate(_FOLD)


def _gaps(raw: str) -> frozenset[int]:
    """Where the reader saw a gap, as positions in the cleaned text."""
    gaps, position = set(), 0
    for piece in _SEPARATOR.split(raw.upper().translate(_HOMOGLYPHS).strip()):
        position += len(_NOT_PLATE_CHARACTER.sub("", piece))
        gaps.add(position)
    return frozenset(gaps - {0, position})


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


def _trimmed(cleaned: str, gaps: frozenset[int]) -> Iterator[tuple[int, str, frozenset[int]]]:
    """The text, then with up to MAX_STRAY_CHARACTERS dropped from its ends (fewest first)."""
    for stray in range(MAX_STRAY_CHARACTERS + 1):
        for head in range(stray + 1):
            kept = cleaned[head : len(cleaned) - (stray - head)]
            if len(kept) < MIN_TRIMMED_LENGTH:
                return
            inner = frozenset(gap - head for gap in gaps if head < gap < head + len(kept))
            yield stray, kept, inner


def parse_plate(
    raw: str, grammar: PlateGrammar = UZBEK, max_repairs: int = DEFAULT_MAX_REPAIRS
) -> PlateText:
    """The reading of ``raw`` in the grammar's layouts, else the cleaned text as foreign.

    Among fitting layouts the fewest stray characters wins, then the fewest repairs. A layout
    fits only if every gap the reader saw falls between two of its groups: "W 053011" is not
    forced into "WO 53011".
    """
    cleaned = clean(raw)
    if grammar.no_letter_o:
        cleaned = cleaned.replace("O", "0")
    best: tuple[tuple[int, int], PlateText] | None = None
    for stray, candidate, gaps in _trimmed(cleaned, _gaps(raw)):
        for layout in grammar.layouts:
            fitted = _fit(candidate, layout.classes)
            if fitted is None or fitted[1] > max_repairs or not gaps <= layout.boundaries:
                continue
            text, repairs = fitted
            if layout.prefixes and text[:2] not in layout.prefixes:
                continue
            rank = (stray, repairs)
            if best is None or rank < best[0]:
                best = (rank, PlateText(text, _grouped(text, layout.groups), layout.name, repairs))
    return best[1] if best else PlateText(cleaned, cleaned, PlateKind.FOREIGN, 0)


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
