from hypothesis import given
from hypothesis import strategies as st

from recognition.plate_format import (
    UZ_REGION_CODES,
    PlateKind,
    PlateList,
    clean,
    edit_distance,
    fold,
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
