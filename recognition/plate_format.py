"""Plate text: reading plates in a grammar of layouts, folding for comparison, list matching.

Theory of operation. A reading is a row of glyphs, each with the reader's probability and its
runner-up characters. Every layout of the grammar (``plate_layouts``) says which positions hold
digits and which letters, so a glyph of the wrong class is resolved *by position*: to its
look-alike (O/Q→0, I→1, B→8, S→5, Z→2 and back) or to the reader's own runner-up of the wanted
class. Each way of explaining the reading gets a log-probability: the sum over the characters it
keeps of their probability as fitted (a look-alike costs a share of the glyph's probability: O and
0 are all but identical on a plate, B and 8 much less so), plus a fixed cost per character it
drops as stray (a frame edge, the EU band's country code, a flag's "UZ", an emblem between
groups). The best explanation across layouts wins; a reading that no layout explains within
``max_repairs`` changed characters is foreign and kept as read. The same probabilities give each
read a confidence (its least sure character) and its *uncertain positions*, which a list uses to
tell "matched" from "possibly matched".

Lists compare *folded* text (O and Q as 0, I as 1) on both sides, since neither the readers nor
the people typing lists tell those apart reliably.
"""

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

import msgspec

from recognition.plate_layouts import (
    EUROPEAN,
    GRAMMARS,
    NORTH_AMERICAN,
    RUSSIAN_LETTERS,
    UZ_REGION_CODES,
    UZBEK,
    Layout,
    PlateGrammar,
    PlateKind,
)

__all__ = [
    "EUROPEAN",
    "GRAMMARS",
    "NORTH_AMERICAN",
    "UZBEK",
    "UZ_REGION_CODES",
    "Glyph",
    "Layout",
    "PlateGrammar",
    "PlateKind",
    "PlateList",
    "PlateListMatch",
    "PlateText",
    "canonical",
    "clean",
    "edit_distance",
    "fold",
    "parse_glyphs",
    "parse_plate",
]

DEFAULT_MAX_REPAIRS: Final = 2
"""More changed characters than this and the text is more likely foreign than misread."""
MAX_STRAY_CHARACTERS: Final = 3
"""Characters a reading may carry beside the plate (a flag's "UZ", a frame edge, a sticker)."""
MIN_TRIMMED_LENGTH: Final = 5
DEFAULT_MIN_ALTERNATIVE: Final = 0.3
"""A runner-up character less likely than this is not used to repair a position."""
DEFAULT_MAX_INNER_STRAY_PROBABILITY: Final = 0.8
"""Only a character read with less confidence than this may be dropped from inside a reading."""
DEFAULT_CERTAIN_PROBABILITY: Final = 0.8
"""A character fitted with less probability than this is an uncertain position of the read."""
DEFAULT_MAX_SHAPE_PROBABILITY: Final = 0.8
"""Only a glyph read with less confidence than this may become its B/8, S/5 or Z/2 look-alike."""
STRAY_PROBABILITY: Final = 0.1
"""The chance that a glyph is not part of the plate: dropping one costs as much as keeping a
character the reader gave 0.1, so a plate that fits as read beats a trimmed one unless the
trimmed one explains the rest much better."""

_DIGIT_LOOK_ALIKES: Final = {"O": "0", "Q": "0", "I": "1", "B": "8", "S": "5", "Z": "2"}
_LETTER_LOOK_ALIKES: Final = {"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z"}
_LOOK_ALIKE_SHARE: Final = {"O": 0.9, "Q": 0.9, "I": 0.9, "0": 0.9, "1": 0.9}
"""How much of a glyph's probability its look-alike keeps: O/0 and I/1 differ by a stroke's width
on most plates; the others (B/8, S/5, Z/2) by their shape, so the reader's choice weighs more."""
_OTHER_LOOK_ALIKE_SHARE: Final = 0.5
_FOLD: Final = str.maketrans({"O": "0", "Q": "0", "I": "1"})
# Cyrillic capitals that look like Latin ones: readers trained on many scripts return either.
_HOMOGLYPHS: Final = str.maketrans(
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425", "ABEKMHOPCTYX"
)
_NOT_PLATE_CHARACTER: Final = re.compile(r"[^A-Z0-9]")


class PlateText(msgspec.Struct, frozen=True):
    text: str  # compact canonical form, e.g. "30A123BC"; for foreign plates the cleaned reading
    display: str  # grouped for people, e.g. "30 A 123 BC"
    kind: str  # the layout's name (a PlateKind for Uzbek plates), or "foreign"
    repairs: int  # characters changed to fit the layout
    confidence: float = 1.0  # the probability of its least sure character, as fitted
    uncertain: tuple[int, ...] = ()  # positions in ``text`` fitted with less than certain


class Glyph(msgspec.Struct, frozen=True):
    """One character as the reader saw it, with the runner-up characters it also weighed.

    A plain string reads as glyphs of probability 1 with no alternatives; a recognizer that gives
    its per-character probabilities lets a layout repair a position to the reader's own second
    guess (``B`` read where a digit belongs, with ``8`` as the runner-up) and weigh one layout's
    explanation of a reading against another's.
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


def _in_class(char: str, kind: str) -> bool:
    if kind == "D":
        return char.isdigit()
    return char.isalpha() and (kind == "L" or char in RUSSIAN_LETTERS)


class _Repairs(msgspec.Struct, frozen=True):
    """How a grammar may change a glyph to the class its position wants."""

    no_letter_o: bool
    min_alternative: float
    max_shape_probability: float

    def look_alike(self, char: str, kind: str) -> str | None:
        table = _DIGIT_LOOK_ALIKES if kind == "D" else _LETTER_LOOK_ALIKES
        found = table.get(char)
        if found is None or (found == "O" and self.no_letter_o) or not _in_class(found, kind):
            return None
        return found

    def of(self, glyph: Glyph, kind: str) -> Glyph | None:
        """The likeliest way to read the glyph as the wanted class: its look-alike at a share of
        its probability, or the reader's runner-up of that class (directly or through its
        look-alike) if at least ``min_alternative`` likely. B/8, S/5 and Z/2 differ in shape, so
        a glyph the reader is sure of (``max_shape_probability`` or more) keeps its class: an
        8 read clearly in a letter slot says the plate is of a layout the grammar lacks."""
        options: list[Glyph] = []
        for char, probability in ((glyph.char, glyph.probability), *glyph.alternatives):
            is_runner_up = char != glyph.char
            if is_runner_up and probability < self.min_alternative:
                break  # likeliest first
            if is_runner_up and _in_class(char, kind):
                options.append(Glyph(char, probability))
                continue
            similar = self.look_alike(char, kind)
            share = _LOOK_ALIKE_SHARE.get(char)
            if share is None and (is_runner_up or probability < self.max_shape_probability):
                share = _OTHER_LOOK_ALIKE_SHARE
            if similar is not None and share is not None:
                options.append(Glyph(similar, probability * share))
        return max(options, key=lambda option: option.probability, default=None)


def _fit(
    glyphs: Sequence[Glyph], classes: str, repairs: _Repairs
) -> tuple[list[Glyph], int] | None:
    """The glyphs fitted to the layout's classes and how many changed; None when a position
    cannot be fitted."""
    if len(glyphs) != len(classes):
        return None
    fitted, changed = [], 0
    for glyph, kind in zip(glyphs, classes, strict=True):
        if _in_class(glyph.char, kind):
            fitted.append(glyph)
            continue
        replacement = repairs.of(glyph, kind)
        if replacement is None:
            return None
        fitted.append(replacement)
        changed += 1
    return fitted, changed


def _log(probability: float) -> float:
    return math.log(max(probability, 1e-9))


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


def _read_as(fitted: Sequence[Glyph], layout: Layout, changed: int, certain: float) -> PlateText:
    text = "".join(glyph.char for glyph in fitted)
    return PlateText(
        text,
        _grouped(text, layout.groups),
        layout.name,
        changed,
        min(glyph.probability for glyph in fitted),
        tuple(i for i, glyph in enumerate(fitted) if glyph.probability < certain),
    )


def _as_read(reading: _Reading, certain: float) -> PlateText:
    glyphs = reading.glyphs
    return PlateText(
        reading.text,
        reading.text,
        PlateKind.FOREIGN,
        0,
        min((glyph.probability for glyph in glyphs), default=0.0),
        tuple(i for i, glyph in enumerate(glyphs) if glyph.probability < certain),
    )


def parse_glyphs(
    glyphs: Iterable[Glyph],
    grammar: PlateGrammar = UZBEK,
    max_repairs: int = DEFAULT_MAX_REPAIRS,
    *,
    min_alternative: float = DEFAULT_MIN_ALTERNATIVE,
    max_inner_stray_probability: float = DEFAULT_MAX_INNER_STRAY_PROBABILITY,
    certain_probability: float = DEFAULT_CERTAIN_PROBABILITY,
    max_shape_probability: float = DEFAULT_MAX_SHAPE_PROBABILITY,
) -> PlateText:
    """The likeliest reading of ``glyphs`` in the grammar's layouts, else the cleaned text as
    foreign (theory of operation above).

    A layout fits only if every gap the reader saw falls between two of its groups: "W 053011"
    is not forced into "WO 53011". Ties go to fewer strays, then to the layout listed first.
    """
    reading = _reading(glyphs, grammar.no_letter_o)
    repairs = _Repairs(grammar.no_letter_o, min_alternative, max_shape_probability)
    stray_cost = _log(STRAY_PROBABILITY)
    best: tuple[float, PlateText] | None = None
    for stray, candidate in _trimmed(reading, max_inner_stray_probability):
        if best is not None and best[0] > stray * stray_cost:
            break  # candidates come fewest strays first; none with more can score higher
        for layout in grammar.layouts:
            if not candidate.gaps <= layout.boundaries:
                continue
            fitted = _fit(candidate.glyphs, layout.classes, repairs)
            if fitted is None or fitted[1] > max_repairs:
                continue
            plate = _read_as(fitted[0], layout, fitted[1], certain_probability)
            if not layout.has_code(plate.text):
                continue
            score = stray * stray_cost + sum(_log(glyph.probability) for glyph in fitted[0])
            if best is None or score > best[0]:
                best = (score, plate)
    return _as_read(reading, certain_probability) if best is None else best[1]


def parse_plate(
    raw: str, grammar: PlateGrammar = UZBEK, max_repairs: int = DEFAULT_MAX_REPAIRS
) -> PlateText:
    """``parse_glyphs`` of text as read, with no probabilities: only fixed look-alikes repair."""
    return parse_glyphs((Glyph(char) for char in raw), grammar, max_repairs)


def canonical(text: str, grammar: PlateGrammar) -> str:
    """The plate as its layout writes it, if written out whole it fits one (O/0, I/1… put where
    the layout has them); else the cleaned text. Nothing is dropped: this is for text a person
    typed (a list entry, a benchmark's ground truth), not for a reading."""
    plate = parse_plate(text, grammar)
    return plate.text if len(plate.text) == len(clean(text)) else clean(text)


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


_ANY: Final = "?"  # stands for the one character a masked key leaves open; never in folded text


class PlateList:
    """A list of plates (own, wanted) matched by folded text within an edit distance, or as a
    *possible* match where a read differs from an entry only at one of its uncertain positions.

    ``not_matches`` are (entry, reading) pairs a person said are not the same car (a "wrong"
    verdict on a possible match): that reading never matches that entry again, except outright
    (a reading equal to an entry is that plate, whatever the car)."""

    def __init__(self, plates: Iterable[str], not_matches: Iterable[tuple[str, str]] = ()) -> None:
        self._by_folded: dict[str, str] = {}
        for plate in plates:
            self._by_folded.setdefault(fold(plate), plate)
        self._not_matches = frozenset((fold(entry), fold(read)) for entry, read in not_matches)
        self._by_masked: dict[str, list[str]] | None = None  # built on the first ``possible`` call

    def __len__(self) -> int:
        return len(self._by_folded)

    def _allowed(self, entry_folded: str, folded: str) -> bool:
        return (entry_folded, folded) not in self._not_matches

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
            closer = best is None or distance < best.distance
            if distance <= max_edits and closer and self._allowed(entry_folded, folded):
                best = PlateListMatch(plate, distance)
        return best

    def possible(self, plate: PlateText) -> PlateListMatch | None:
        """An entry the read equals on every certain position, differing at most at one of its
        uncertain ones (distance 0 when it equals the entry outright). A read whose uncertain
        character keeps it off an entry can still be that entry; one whose sure characters
        differ cannot, which an edit distance alone does not tell apart."""
        folded = fold(plate.text)
        if folded in self._by_folded:
            return PlateListMatch(self._by_folded[folded], 0)
        by_masked = self._masked()
        for position in plate.uncertain:
            if position >= len(folded):
                continue
            for entry in by_masked.get(folded[:position] + _ANY + folded[position + 1 :], ()):
                if self._allowed(fold(entry), folded):
                    return PlateListMatch(entry, 1)
        return None

    def _masked(self) -> dict[str, list[str]]:
        """Each entry under every key with one of its characters left open (entries that share
        a key in the order listed). Built once, on the first read with uncertain positions:
        lists that never see one never pay for it."""
        if self._by_masked is None:
            self._by_masked = {}
            for folded, plate in self._by_folded.items():
                for position in range(len(folded)):
                    key = folded[:position] + _ANY + folded[position + 1 :]
                    self._by_masked.setdefault(key, []).append(plate)
        return self._by_masked
