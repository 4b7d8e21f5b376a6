"""The plate formats a deployment expects, country by country.

Each layout is a character class per position (``D`` digit, ``L`` Latin letter, ``C`` one of the
twelve letters Russian plates use, which look the same in Cyrillic and Latin) and the groups the
plate prints them in. Knowing which positions hold digits is what lets the parser resolve O/0,
I/1, B/8, S/5 and Z/2 by position instead of guessing per character. A layout may also name the
codes a fixed position holds (a region code): ``99 A 123 BC`` is not an Uzbek plate.

A city sees its own country's plates first, then its neighbours' and its trade partners', so the
``uz`` grammar lists the Uzbek layouts first (they win a tie) and then those of Kazakhstan,
Kyrgyzstan, Tajikistan and Russia. ``eu`` holds the formats of the European benchmark (Slovakia,
France and Italy share one; Czechia, Poland with its diplomatic plates, the United Kingdom,
Spain).
"""

import enum
from typing import Final

import msgspec

UZ_REGION_CODES: Final = frozenset(
    {"01", "10", "20", "25", "30", "40", "50", "60", "70", "75", "80", "85", "90", "95"}
)
KZ_REGION_CODES: Final = frozenset(f"{code:02d}" for code in range(1, 21))  # 01 Astana … 20 Ulytau
KG_REGION_CODES: Final = frozenset(f"{code:02d}" for code in range(1, 10))  # 01 Bishkek … 09 Batken
RUSSIAN_LETTERS: Final = "ABEKMHOPCTYX"
"""The only letters Russian plates carry: those with a Latin twin, so both scripts read alike."""


class PlateKind(enum.StrEnum):
    """The home country's kinds; other layouts are named by their ``Layout.name``."""

    UZ_PRIVATE = "uz_private"
    UZ_ORGANISATION = "uz_organisation"
    FOREIGN = "foreign"  # fits none of the grammar's layouts: kept as read


class Layout(msgspec.Struct, frozen=True):
    """One plate layout: a character class per position and the groups it is printed in."""

    name: str
    classes: str  # D digit, L letter, C Russian-plate letter
    groups: tuple[int, ...]
    codes: frozenset[str] = frozenset()  # non-empty: the code at ``code_at`` must be one of these
    code_at: int = 0

    @property
    def boundaries(self) -> frozenset[int]:
        """Positions where the plate shows a gap (a space, a dash, an emblem)."""
        ends, position = set(), 0
        for size in self.groups[:-1]:
            position += size
            ends.add(position)
        return frozenset(ends)

    def has_code(self, text: str) -> bool:
        if not self.codes:
            return True
        size = len(next(iter(self.codes)))
        return text[self.code_at : self.code_at + size] in self.codes


class PlateGrammar(msgspec.Struct, frozen=True):
    """The plate layouts a deployment expects; a reading that fits none is kept as read.

    ``no_letter_o``: the jurisdiction never issues the letter O (most US states), so an O read
    anywhere is the digit 0.
    """

    name: str
    layouts: tuple[Layout, ...]
    no_letter_o: bool = False


UZBEK_LAYOUTS: Final = (
    Layout(PlateKind.UZ_PRIVATE, "DDLDDDLL", (2, 1, 3, 2), UZ_REGION_CODES),  # 30 A 123 BC
    Layout(PlateKind.UZ_ORGANISATION, "DDDDDLLL", (2, 3, 3), UZ_REGION_CODES),  # 30 123 ABC
)
NEIGHBOUR_LAYOUTS: Final = (
    Layout("kz_private", "DDDLLLDD", (3, 3, 2), KZ_REGION_CODES, code_at=6),  # 123 ABC 02
    Layout("kz_organisation", "DDDLLDD", (3, 2, 2), KZ_REGION_CODES, code_at=5),  # 123 AB 02
    Layout("kg_private", "DDDDDLLL", (2, 3, 3), KG_REGION_CODES),  # 01 123 ABC
    Layout("tj_private", "DDDDLLDD", (4, 2, 2)),  # 1234 AB 01
    Layout("ru_private", "CDDDCCDD", (1, 3, 2, 2)),  # A 123 BC 77
    Layout("ru_private_3", "CDDDCCDDD", (1, 3, 2, 3)),  # A 123 BC 777
)
EUROPEAN_LAYOUTS: Final = (
    Layout("eu_sk_fr_it", "LLDDDLL", (2, 3, 2)),  # Slovakia RK-123AB, France, Italy
    Layout("eu_uk", "LLDDLLL", (4, 3)),  # OY09 FEU
    Layout("eu_cz", "DLDDDDD", (3, 4)),  # 1B1 9839
    Layout("eu_es", "DDDDLLL", (4, 3)),  # 1234 BCD
    Layout("eu_pl", "LLDDDDD", (2, 5)),  # SG 47471
    Layout("eu_pl_3", "LLLDDDD", (3, 4)),  # BSE 5579
    Layout("eu_pl_diplomatic", "LDDDDDD", (1, 6)),  # W 053011: a mission's number, then its car's
)
NORTH_AMERICAN_LAYOUTS: Final = (
    Layout("us_ca", "DLLLDDD", (1, 3, 3)),  # California 5ABC123
    Layout("us_3l4d", "LLLDDDD", (3, 4)),  # New York, Pennsylvania, Texas...
    Layout("us_3l3d", "LLLDDD", (3, 3)),
    Layout("us_mo", "LLDLDL", (3, 3)),  # Missouri AB1 C2D
)

UZBEK: Final = PlateGrammar("uz", (*UZBEK_LAYOUTS, *NEIGHBOUR_LAYOUTS))
EUROPEAN: Final = PlateGrammar("eu", EUROPEAN_LAYOUTS)
NORTH_AMERICAN: Final = PlateGrammar("us", NORTH_AMERICAN_LAYOUTS, no_letter_o=True)
GRAMMARS: Final = {grammar.name: grammar for grammar in (UZBEK, EUROPEAN, NORTH_AMERICAN)}
