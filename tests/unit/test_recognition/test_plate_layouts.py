"""Plate formats by country, resolving look-alikes by position, confidence and uncertain
positions, and the 'possible' list match they allow."""

import pytest

from recognition.plate_format import (
    EUROPEAN,
    NORTH_AMERICAN,
    UZBEK,
    Glyph,
    PlateKind,
    PlateList,
    PlateText,
    canonical,
    parse_glyphs,
    parse_plate,
)


def _glyphs(text: str, **unsure: Glyph) -> list[Glyph]:
    """Sure glyphs of ``text`` with the ones at the positions named ``at<i>`` replaced."""
    return [unsure.get(f"at{index}", Glyph(char)) for index, char in enumerate(text)]


@pytest.mark.parametrize(
    ("raw", "text", "kind"),
    [
        ("30 A 123 BC", "30A123BC", PlateKind.UZ_PRIVATE),
        ("01 123 ABC", "01123ABC", PlateKind.UZ_ORGANISATION),  # Uzbek first: KG has 01 too
        ("05 123 ABC", "05123ABC", "kg_private"),
        ("123 ABC 02", "123ABC02", "kz_private"),
        ("123 AB 17", "123AB17", "kz_organisation"),
        ("1234 AB 01", "1234AB01", "tj_private"),
        ("A 123 BC 77", "A123BC77", "ru_private"),
        ("\u0410 123 \u0412\u0421 777", "A123BC777", "ru_private_3"),  # typed in Cyrillic
    ],
)
def test_the_city_grammar_reads_uzbek_and_neighbouring_plates(
    raw: str, text: str, kind: str
) -> None:
    plate = parse_plate(raw, UZBEK)
    assert (plate.text, plate.kind) == (text, kind)


def test_region_codes_and_russian_letters_are_part_of_the_format() -> None:
    assert parse_plate("123 ABC 99", UZBEK).kind == PlateKind.FOREIGN  # Kazakh regions: 01-20
    assert parse_plate("D 123 BC 77", UZBEK).kind == PlateKind.FOREIGN  # D is not on RU plates


def test_o_and_0_are_put_where_the_layout_has_them() -> None:
    assert parse_plate("RKO99AN", EUROPEAN).text == "RK099AN"
    assert parse_plate("RK3O1A0", EUROPEAN).text == "RK301AO"
    assert parse_plate("A 1O3 B0 77", UZBEK).text == "A103BO77"


def test_polish_plates_of_the_benchmark_have_their_layouts() -> None:
    assert parse_plate("SG 47471", EUROPEAN).kind == "eu_pl"
    assert parse_plate("BSE 5579", EUROPEAN).kind == "eu_pl_3"
    diplomatic = parse_plate("W053011", EUROPEAN)  # not "WO 53011": it fits as written
    assert (diplomatic.text, diplomatic.kind) == ("W053011", "eu_pl_diplomatic")
    assert canonical("W053011", EUROPEAN) == "W053011"


def test_a_character_read_from_the_frame_before_the_plate_is_dropped() -> None:
    frame = Glyph("1", 0.9)
    plate = parse_glyphs(_glyphs("1RK755AJ", at0=frame), EUROPEAN)
    assert (plate.text, plate.kind) == ("RK755AJ", "eu_sk_fr_it")


def test_an_unsure_b_where_a_digit_belongs_is_an_uncertain_8() -> None:
    b_or_8 = Glyph("B", 0.6)
    plate = parse_glyphs(_glyphs("30A12BBC", at5=b_or_8), UZBEK)
    assert (plate.text, plate.repairs, plate.uncertain) == ("30A128BC", 1, (5,))
    assert plate.confidence == pytest.approx(0.3)


@pytest.mark.parametrize(("read", "wanted"), [("S", "5"), ("Z", "2")])
def test_unsure_s_and_z_in_digit_slots_are_their_digits(read: str, wanted: str) -> None:
    plate = parse_glyphs(_glyphs("30A1X3BC", at4=Glyph(read, 0.5)), UZBEK)
    assert plate.text == f"30A1{wanted}3BC"


def test_a_sure_s_in_a_digit_slot_leaves_the_reading_as_read() -> None:
    assert parse_glyphs(_glyphs("8FV480"), NORTH_AMERICAN).text == "8FV480"


def test_the_likelier_explanation_wins_whichever_layout_is_listed_first() -> None:
    five = Glyph("5", 0.5, (("S", 0.45),))
    ess = Glyph("S", 0.5, (("5", 0.45),))
    assert parse_glyphs(_glyphs("AB12XCD", at4=five), EUROPEAN).kind == "eu_sk_fr_it"
    assert parse_glyphs(_glyphs("AB12XCD", at4=ess), EUROPEAN).kind == "eu_uk"


def test_a_read_as_sure_as_its_characters_has_no_uncertain_position() -> None:
    plate = parse_glyphs(_glyphs("30A123BC", at1=Glyph("0", 0.97)), UZBEK)
    assert plate.confidence == pytest.approx(0.97)
    assert plate.uncertain == ()
    assert parse_plate("RKO99AN", EUROPEAN).uncertain == ()  # O/0 is the layout's to say


def test_a_foreign_read_is_uncertain_where_the_reader_was() -> None:
    plate = parse_glyphs(_glyphs("XYZ", at1=Glyph("Y", 0.5)), UZBEK)
    assert (plate.kind, plate.confidence, plate.uncertain) == (PlateKind.FOREIGN, 0.5, (1,))
    assert parse_glyphs([], UZBEK).confidence == 0.0


def test_canonical_writes_typed_text_in_its_layout_without_dropping_anything() -> None:
    assert canonical("RKO99AN", EUROPEAN) == "RK099AN"
    assert canonical("VW4X4WP", EUROPEAN) == "VW4X4WP"
    assert canonical("X RK 099 AN", EUROPEAN) == "XRK099AN"  # fits only with X dropped: kept


def _read(text: str, *uncertain: int) -> PlateText:
    return PlateText(text, text, PlateKind.UZ_PRIVATE, 0, 0.5, uncertain)


def test_a_read_off_a_wanted_plate_only_where_it_is_uncertain_is_a_possible_match() -> None:
    wanted = PlateList(["30 A 128 BC", "01O777AA"])
    possible = wanted.possible(_read("30A123BC", 5))
    assert possible is not None
    assert (possible.plate, possible.distance) == ("30 A 128 BC", 1)
    assert wanted.possible(_read("30A123BC", 3)) is None  # the 3 was read surely
    assert wanted.possible(_read("30A123BC")) is None
    assert wanted.possible(_read("30A123BC", 9)) is None  # past the end: nothing to open
    exact = wanted.possible(_read("01O777AA"))
    assert exact is not None
    assert exact.distance == 0
