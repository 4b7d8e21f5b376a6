from hypothesis import given
from hypothesis import strategies as st

from recognition.plate_format import (
    EUROPEAN,
    GRAMMARS,
    NORTH_AMERICAN,
    UZ_REGION_CODES,
    UZBEK,
    Glyph,
    PlateKind,
    PlateList,
    PlateListMatch,
    PlateText,
    clean,
    edit_distance,
    fold,
    parse_glyphs,
    parse_plate,
)

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # letters with no digit look-alike
DIGITS = "23456789"
regions = st.sampled_from(sorted(UZ_REGION_CODES))


def _text(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size)


private_plates = st.tuples(regions, _text(LETTERS, 1), _text(DIGITS, 3), _text(LETTERS, 2))
organisation_plates = st.tuples(regions, _text(DIGITS, 3), _text(LETTERS, 3))


@given(private_plates)
def test_private_plate_reads_back_in_its_layout(parts: tuple[str, ...]) -> None:
    plate = parse_plate(" ".join(parts))
    assert plate.kind is PlateKind.UZ_PRIVATE
    assert plate.text == "".join(parts)
    assert plate.display == " ".join(parts)
    assert plate.repairs == 0


@given(organisation_plates)
def test_organisation_plate_reads_back_in_its_layout(parts: tuple[str, ...]) -> None:
    plate = parse_plate("".join(parts))
    assert plate.kind is PlateKind.UZ_ORGANISATION
    assert plate.display == " ".join(parts)


@given(regions, st.sampled_from("O0"), st.sampled_from("I1"))
def test_o_and_i_confusions_are_repaired_per_position(region: str, o: str, i: str) -> None:
    plate = parse_plate(f"{region}A{o}2{i}BC")
    assert plate.kind is PlateKind.UZ_PRIVATE
    assert plate.text == f"{region}A021BC"


def test_digit_zero_in_a_letter_slot_becomes_o() -> None:
    assert parse_plate("30 0 123 BC").text == "30O123BC"


def test_country_suffix_beside_the_flag_is_dropped() -> None:
    plate = parse_plate("01 A 777 AA UZ")
    assert plate.text == "01A777AA"


def test_unknown_region_code_is_foreign() -> None:
    plate = parse_plate("99 A 123 BC")
    assert plate.kind is PlateKind.FOREIGN
    assert plate.text == "99A123BC"


def test_too_many_repairs_means_foreign() -> None:
    assert parse_plate("3OAIIIBC", max_repairs=2).kind is PlateKind.FOREIGN


def test_foreign_plate_keeps_its_characters() -> None:
    plate = parse_plate("b-rk 878ac")
    assert plate.kind is PlateKind.FOREIGN
    assert plate.text == "BRK878AC"


def test_cyrillic_look_alikes_read_as_latin() -> None:
    assert clean("30 А 123 ВС") == "30A123BC"  # noqa: RUF001 - Cyrillic on purpose


def test_fold_treats_o_q_as_zero_and_i_as_one() -> None:
    assert fold("oq-i1 0") == "00110"


def _reference_distance(first: str, second: str) -> int:
    if not first or not second:
        return len(first) + len(second)
    cost = first[-1] != second[-1]
    return min(
        _reference_distance(first[:-1], second) + 1,
        _reference_distance(first, second[:-1]) + 1,
        _reference_distance(first[:-1], second[:-1]) + cost,
    )


@given(st.text("AB1", max_size=5), st.text("AB1", max_size=5), st.integers(0, 5))
def test_edit_distance_agrees_with_the_definition_up_to_its_limit(
    first: str, second: str, limit: int
) -> None:
    expected = _reference_distance(first, second)
    assert edit_distance(first, second, limit) == min(expected, limit + 1)


def test_list_matches_folded_text_exactly_and_within_edits() -> None:
    wanted = PlateList(["30 A 123 BC", "01O777AA"])
    assert len(wanted) == 2
    exact = wanted.match("30A123BC")
    assert exact is not None
    assert exact.distance == 0
    folded = wanted.match("0IO777AA")
    assert folded is not None
    assert folded.plate == "01O777AA"
    assert wanted.match("30A128BC") is None
    near = wanted.match("30A128BC", max_edits=1)
    assert near is not None
    assert (near.plate, near.distance) == ("30 A 123 BC", 1)
    assert wanted.match("", max_edits=1) is None


UNSURE_LAST: PlateText = PlateText("LM298AI", "LM298AI", "foreign", 0, 0.62, (6,))
"""test_008.jpg's read: its last character is the one the reader was unsure of."""


def test_a_reading_said_not_to_be_an_entry_matches_it_neither_as_possible_nor_by_edits() -> None:
    told = PlateList(["LM 298 AT"], not_matches=[("LM298AT", "LM 298 AI")])  # folded either way
    assert PlateList(["LM 298 AT"]).possible(UNSURE_LAST) == PlateListMatch("LM 298 AT", 1)
    assert told.possible(UNSURE_LAST) is None
    assert told.match("LM298AI", max_edits=2) is None
    assert told.match("LM298AY", max_edits=1) == PlateListMatch("LM 298 AT", 1)  # another read
    other = PlateText("LM298AY", "LM298AY", "foreign", 0, 0.62, (6,))
    assert told.possible(other) == PlateListMatch("LM 298 AT", 1)


def test_an_entry_a_reading_is_not_leaves_the_next_entry_of_the_same_shape_matchable() -> None:
    told = PlateList(["LM 298 AT", "LM 298 AX"], [("LM 298 AT", "LM298AI")])
    assert told.possible(UNSURE_LAST) == PlateListMatch("LM 298 AX", 1)
    assert told.match("LM298AI", max_edits=1) == PlateListMatch("LM 298 AX", 1)


def test_a_reading_equal_to_an_entry_is_that_plate_whatever_was_said() -> None:
    told = PlateList(["LM 298 AI"], [("LM 298 AI", "LM298AI")])
    assert told.match("LM298AI") == PlateListMatch("LM 298 AI", 0)
    assert told.possible(UNSURE_LAST) == PlateListMatch("LM 298 AI", 0)


def test_a_gap_where_no_layout_has_one_keeps_the_reading_as_read() -> None:
    assert parse_plate("W·053011", EUROPEAN).text == "W053011"  # not forced into WO 53011
    assert parse_plate("RK-3O0AG", EUROPEAN).text == "RK300AG"  # a gap where the layout has one
    assert parse_plate("RK3-O0AG", EUROPEAN).kind == "foreign"


def test_european_layouts_repair_letters_and_digits_per_position() -> None:
    plate = parse_plate("RK=708A1", EUROPEAN)
    assert (plate.text, plate.display, plate.kind, plate.repairs) == (
        "RK708AI",
        "RK 708 AI",
        "eu_sk_fr_it",
        1,
    )
    assert parse_plate("BA·3020Z", EUROPEAN).text == "BA302OZ"
    assert parse_plate("OY09 FEU", EUROPEAN).kind == "eu_uk"


def test_where_the_letter_o_is_never_issued_it_is_read_as_zero() -> None:
    assert parse_plate("HLO KTY1", NORTH_AMERICAN).text == "HL0KTY1"
    assert parse_plate("HLO KTY1", EUROPEAN).text == "HLOKTY1"


def test_stray_characters_beside_a_plate_are_dropped_when_the_rest_fits() -> None:
    assert parse_plate("M5VCF20377", NORTH_AMERICAN).text == "5VCF203"
    assert parse_plate("WAYX8803", NORTH_AMERICAN).text == "AYX8803"
    assert parse_plate("X 30 A 123 BC", UZBEK).text == "30A123BC"


def test_a_plate_that_fits_as_read_is_preferred_to_a_trimmed_one() -> None:
    plate = parse_plate("ABC1234", NORTH_AMERICAN)
    assert (plate.text, plate.kind) == ("ABC1234", "us_3l4d")


@given(st.text(max_size=20))
def test_any_text_parses_in_every_grammar(raw: str) -> None:
    for grammar in GRAMMARS.values():
        plate = parse_plate(raw, grammar)
        assert set(plate.text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        assert plate.repairs <= 2


def _glyphs(text: str, **unsure: Glyph) -> list[Glyph]:
    """Sure glyphs of ``text`` with the ones at the positions named ``at<i>`` replaced."""
    return [unsure.get(f"at{index}", Glyph(char)) for index, char in enumerate(text)]


def test_a_letter_where_a_digit_belongs_is_repaired_to_the_readers_runner_up_digit() -> None:
    b_or_8 = Glyph("B", 0.6, (("8", 0.35),))
    plate = parse_glyphs(_glyphs("30A12BBC", at5=b_or_8), UZBEK)
    assert (plate.text, plate.kind, plate.repairs) == ("30A128BC", PlateKind.UZ_PRIVATE, 1)
    assert parse_plate("30A12BBC", UZBEK).kind == PlateKind.FOREIGN  # B has no fixed look-alike


def test_an_unlikely_runner_up_does_not_repair_a_sure_glyph() -> None:
    b_or_8 = Glyph("B", 0.95, (("8", 0.2),))
    assert parse_glyphs(_glyphs("30A12BBC", at5=b_or_8), UZBEK).kind == PlateKind.FOREIGN


def test_an_unsure_glyph_between_groups_is_dropped_as_an_emblem() -> None:
    emblem = Glyph("1", 0.4)
    plate = parse_glyphs(_glyphs("RK1708AI", at2=emblem), EUROPEAN)
    assert (plate.text, plate.display, plate.repairs) == ("RK708AI", "RK 708 AI", 0)


def test_a_confident_inner_glyph_is_never_dropped() -> None:
    sure = Glyph("1", 0.95)
    assert parse_glyphs(_glyphs("RK1708AI", at2=sure), EUROPEAN).text != "RK708AI"


def test_missouri_plates_have_their_own_layout() -> None:
    plate = parse_plate("AB1 C2D", NORTH_AMERICAN)
    assert (plate.text, plate.kind) == ("AB1C2D", "us_mo")
