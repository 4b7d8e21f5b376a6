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
from collections.abc import Iterable, Iterator, Sequence
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
DEFAULT_MIN_ALTERNATIVE: Final = 0.3
"""A runner-up character less likely than this is not used to repair a position."""
DEFAULT_MAX_INNER_STRAY_PROBABILITY: Final = 0.8
"""Only a character read with less confidence than this may be dropped from inside a reading."""

_TO_DIGIT: Final = {"O": "0", "Q": "0", "I": "1"}
_TO_LETTER: Final = {"0": "O", "1": "I"}
_TO_LETTER_NO_O: Final = {"1": "I"}
_FOLD: Final = str.maketrans({"O": "0", "Q": "0", "I": "1"})
# Cyrillic capitals that look like Latin ones: readers trained on many scripts return either.
_HOMOGLYPHS: Final = str.maketrans(
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425", "ABEKMHOPCTYX"
)
_NOT_PLATE_CHARACTER: Final = re.compile(r"[^A-Z0-9]")


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
        Layout("us_mo", "LLDLDL", (3, 3)),  # Missouri AB1 C2D
    ),
    no_letter_o=True,
)
GRAMMARS: Final = {grammar.name: grammar for grammar in (UZBEK, EUROPEAN, NORTH_AMERICAN)}


class PlateText(msgspec.Struct, frozen=True):
    text: str  # compact canonical form, e.g. "30A123BC"; for foreign plates the cleaned reading
    display: str  # grouped for people, e.g. "30 A 123 BC"
    kind: str  # the layout's name (a PlateKind for Uzbek plates), or "foreign"
    repairs: int  # characters changed to fit the layout


class Glyph(msgspec.Struct, frozen=True):
    """One character as the reader saw it, with the runner-up characters it also weighed.

    A plain string reads as glyphs of probability 1 with no alternatives; a recognizer that gives
    its per-character probabilities lets a layout repair a position to the reader's own second
    guess (``B`` read where a digit belongs, with ``8`` as the runner-up) instead of only the
    fixed look-alikes O/Q/0 and I/1.
    """

    char: str
    probability: float = 1.0
    alternatives: tuple[tuple[str, float], ...] = ()  # (character, probability), likeliest first


def clean(raw: str) -> str:
    """Upper-case Latin letters and digits only."""
    return _NOT_PLATE_CHARACTER.sub("", raw.upper().translate(_HOMOGLYPHS))


def fold(text: str) -> str:
    """The comparison form: cleaned, with O and Q as 0 and I as 1."""
    return clean(text).translate(_FOLD)


class _Reading(msgspec.Struct, frozen=True):
    """Cleaned glyphs (one plate character each) and where the reader saw gaps between them."""

    glyphs: tuple[Glyph, ...]
    gaps: frozenset[int]

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)


def _cleaned_glyph(glyph: Glyph, no_letter_o: bool) -> Glyph | None:
    """The glyph as a plate character (None for a separator); alternatives cleaned alike."""

    def plate_char(char: str) -> str:
        cleaned = clean(char)[:1]  # one character in, at most one out ("ß" upper-cases to "SS")
        return "0" if no_letter_o and cleaned == "O" else cleaned

    char = plate_char(glyph.char)
    if not char:
        return None
    alternatives = tuple(
        (alt, probability)
        for alt, probability in ((plate_char(c), p) for c, p in glyph.alternatives)
        if alt and alt != char
    )
    return Glyph(char, glyph.probability, alternatives)


def _reading(glyphs: Iterable[Glyph], no_letter_o: bool) -> _Reading:
    kept: list[Glyph] = []
    gaps: set[int] = set()
    for glyph in glyphs:
        cleaned = _cleaned_glyph(glyph, no_letter_o)
        if cleaned is None:
            gaps.add(len(kept))
        else:
            kept.append(cleaned)
    return _Reading(tuple(kept), frozenset(gaps - {0, len(kept)}))


class _Repairs(msgspec.Struct, frozen=True):
    """How a grammar may change a glyph to the class its position wants."""

    to_letter: dict[str, str]
    min_alternative: float

    def of(self, glyph: Glyph, wanted_digit: bool) -> Glyph | None:
        """The glyph as the wanted class: its fixed look-alike, else the reader's likeliest
        runner-up of that class (directly or through a look-alike) if ``min_alternative`` likely."""
        look_alike = _TO_DIGIT if wanted_digit else self.to_letter
        if glyph.char in look_alike:
            return Glyph(look_alike[glyph.char], glyph.probability)
        for char, probability in glyph.alternatives:
            if probability < self.min_alternative:
                break  # likeliest first
            if char.isdigit() == wanted_digit:
                return Glyph(char, probability)
            if char in look_alike:
                return Glyph(look_alike[char], probability)
        return None


def _fit(glyphs: Sequence[Glyph], classes: str, repairs: _Repairs) -> tuple[str, int, float] | None:
    """Text, repairs and mean probability of the glyphs repaired to the digit/letter pattern;
    None when a position cannot be repaired."""
    if len(glyphs) != len(classes):
        return None
    fixed, changed = [], 0
    for glyph, kind in zip(glyphs, classes, strict=True):
        wanted_digit = kind == "D"
        if glyph.char.isdigit() == wanted_digit:
            fixed.append(glyph)
            continue
        replacement = repairs.of(glyph, wanted_digit)
        if replacement is None:
            return None
        fixed.append(replacement)
        changed += 1
    likelihood = sum(glyph.probability for glyph in fixed) / len(fixed)
    return "".join(glyph.char for glyph in fixed), changed, likelihood


def _grouped(text: str, groups: tuple[int, ...]) -> str:
    parts, start = [], 0
    for size in groups:
        parts.append(text[start : start + size])
        start += size
    return " ".join(parts)


def _without(reading: _Reading, head: int, tail: int) -> _Reading:
    """The reading with ``head`` glyphs dropped before and ``tail`` after."""
    end = len(reading.glyphs) - tail
    gaps = frozenset(gap - head for gap in reading.gaps if head < gap < end)
    return _Reading(reading.glyphs[head:end], gaps)


def _inner_drops(reading: _Reading, max_probability: float) -> Iterator[_Reading]:
    """The reading with one unsure inner glyph dropped and a gap left where it was: an emblem, a
    sticker or a bolt between the plate's groups read as a character."""
    glyphs = reading.glyphs
    for index in range(1, len(glyphs) - 1):
        if glyphs[index].probability >= max_probability:
            continue
        gaps = {gap if gap <= index else gap - 1 for gap in reading.gaps}
        yield _Reading(glyphs[:index] + glyphs[index + 1 :], frozenset({*gaps, index}))


def _trimmed(reading: _Reading, max_inner_probability: float) -> Iterator[tuple[int, _Reading]]:
    """The reading, then with up to MAX_STRAY_CHARACTERS dropped, fewest first: from its ends,
    and at most one unsure glyph from inside."""
    for stray in range(MAX_STRAY_CHARACTERS + 1):
        for head in range(stray + 1):
            kept = _without(reading, head, stray - head)
            if len(kept.glyphs) >= MIN_TRIMMED_LENGTH:
                yield stray, kept
        for head in range(stray):  # stray - 1 from the ends, one from inside
            kept = _without(reading, head, stray - 1 - head)
            if len(kept.glyphs) > MIN_TRIMMED_LENGTH:
                for dropped in _inner_drops(kept, max_inner_probability):
                    yield stray, dropped


def parse_glyphs(
    glyphs: Iterable[Glyph],
    grammar: PlateGrammar = UZBEK,
    max_repairs: int = DEFAULT_MAX_REPAIRS,
    *,
    min_alternative: float = DEFAULT_MIN_ALTERNATIVE,
    max_inner_stray_probability: float = DEFAULT_MAX_INNER_STRAY_PROBABILITY,
) -> PlateText:
    """The reading of ``glyphs`` in the grammar's layouts, else the cleaned text as foreign.

    Among fitting layouts the fewest stray characters wins, then the fewest repairs, then the
    likeliest characters. A layout fits only if every gap the reader saw falls between two of its
    groups: "W 053011" is not forced into "WO 53011".
    """
    reading = _reading(glyphs, grammar.no_letter_o)
    repairs = _Repairs(_TO_LETTER_NO_O if grammar.no_letter_o else _TO_LETTER, min_alternative)
    best: tuple[tuple[int, int, float], PlateText] | None = None
    for stray, candidate in _trimmed(reading, max_inner_stray_probability):
        if best is not None and stray > best[0][0]:
            break  # candidates come fewest strays first
        for layout in grammar.layouts:
            fitted = _fit(candidate.glyphs, layout.classes, repairs)
            if fitted is None or fitted[1] > max_repairs or not candidate.gaps <= layout.boundaries:
                continue
            text, changed, likelihood = fitted
            if layout.prefixes and text[:2] not in layout.prefixes:
                continue
            rank = (stray, changed, -likelihood)
            if best is None or rank < best[0]:
                best = (rank, PlateText(text, _grouped(text, layout.groups), layout.name, changed))
    if best is None:
        return PlateText(reading.text, reading.text, PlateKind.FOREIGN, 0)
    return best[1]


def parse_plate(
    raw: str, grammar: PlateGrammar = UZBEK, max_repairs: int = DEFAULT_MAX_REPAIRS
) -> PlateText:
    """``parse_glyphs`` of text as read, with no probabilities: only fixed look-alikes repair."""
    return parse_glyphs((Glyph(char) for char in raw), grammar, max_repairs)


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
