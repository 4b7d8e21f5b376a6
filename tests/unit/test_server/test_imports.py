import pytest

from server.crews.schemas import CrewCsvRow
from server.devices.imports import DEVICE_COLUMNS, _check
from server.devices.schemas import DeviceCsvRow
from server.imports import BadEncodingError, decode_csv, parse_csv
from server.sites.schemas import SiteIn


def test_empty_cells_take_defaults_and_text_becomes_typed() -> None:
    text = ",".join(DEVICE_COLUMNS) + "\n7,dc09,panic_button,S,,39.6,66.9,,,true,60\n"
    parsed = parse_csv(text, DeviceCsvRow, DEVICE_COLUMNS)
    assert parsed.rejected == []
    (row,) = parsed.rows
    assert (row.account, row.lat, row.encrypted, row.supervision_s) == ("7", 39.6, True, 60)


def test_a_missing_header_column_is_reported_on_line_1() -> None:
    parsed = parse_csv("account,kind\n1,x\n", DeviceCsvRow, DEVICE_COLUMNS)
    assert parsed.rows == []
    assert parsed.rejected[0].line == 1
    assert "protocol" in parsed.rejected[0].reason


def test_a_row_with_extra_cells_is_rejected() -> None:
    parsed = parse_csv("name\nBerkut-1,extra\n", CrewCsvRow, ("name",))
    assert parsed.rejected[0].line == 2


def test_an_encrypted_device_without_a_key_is_rejected_by_the_check() -> None:
    text = ",".join(DEVICE_COLUMNS) + "\n7,dc09,panic_button,S,,,,,,true,60\n"
    parsed = parse_csv(text, DeviceCsvRow, DEVICE_COLUMNS, check=_check)
    assert parsed.rejected[0].reason == "an encrypted device needs a key"


def test_a_cell_larger_than_the_csv_reader_takes_rejects_its_line_and_no_other() -> None:
    text = "name,address\nfirst,x\nhuge," + "a" * 200_000 + "\nlast,y\n"
    parsed = parse_csv(text, SiteIn, ("name",))
    assert [row.name for row in parsed.rows] == ["first", "last"]
    assert [error.line for error in parsed.rejected] == [3]
    assert "field limit" in parsed.rejected[0].reason


def test_text_that_is_not_utf8_names_its_line_and_byte() -> None:
    with pytest.raises(BadEncodingError) as raised:
        decode_csv(b"name,address\nfirst,x\nbad\xff,y\n")
    assert (raised.value.line, raised.value.byte) == (3, 4)
    report = raised.value.report()
    assert (report.code, report.applied) == ("bad_encoding", False)
    assert report.rejected[0].line == 3


def test_a_byte_order_mark_is_dropped() -> None:
    assert decode_csv("\ufeffname\nRegistan\n".encode()) == "name\nRegistan\n"
