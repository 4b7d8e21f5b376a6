"""A contact sheet's row becomes a contact: phones normalized the way calls are checked, lists
split, and bad rows refused with the reason."""

from __future__ import annotations

import msgspec
import pytest

from server.contacts.imports import CONTACT_COLUMNS, ContactCsvRow, contact_of
from server.contacts.schemas import CallIn, CallResult, ContactIn, Hours
from server.contacts.service import normalize_phone
from server.imports import parse_csv


def test_phones_keep_digits_and_a_leading_plus() -> None:
    assert normalize_phone("+998 (90) 123-45-67") == "+998901234567"
    assert normalize_phone("71 200 00 00") == "712000000"


def test_a_row_becomes_a_contact() -> None:
    row = ContactCsvRow(
        site="Bank 1",
        name="Aziz",
        phones="+998 90 123 45 67; 71 200 00 00",
        languages="uz, ru",
        hours="mon-fri 08:00-18:00",
        order=2,
        has_password=True,
    )
    contact = contact_of(row)
    assert contact.phones == ["+998 90 123 45 67", "71 200 00 00"]
    assert contact.languages == ["uz", "ru"]
    assert contact.hours == [
        Hours(days=["mon", "tue", "wed", "thu", "fri"], start="08:00", end="18:00")
    ]
    assert contact.order == 2
    assert contact.has_password


def test_a_sheet_with_a_bad_phone_and_bad_hours_names_both_lines() -> None:
    sheet = (
        "site,name,phones,hours\n"
        "Bank 1,Aziz,+998901234567,mon-fri 08:00-18:00\n"
        "Bank 1,Bobur,call me,\n"
        "Bank 1,Dilnoza,+998907654321,someday\n"
    )
    parsed = parse_csv(sheet, ContactCsvRow, CONTACT_COLUMNS, _valid)
    assert [row.name for row in parsed.rows] == ["Aziz"]
    assert [error.line for error in parsed.rejected] == [3, 4]
    assert "phones" in parsed.rejected[0].reason
    assert "someday" in parsed.rejected[1].reason


def _valid(row: ContactCsvRow) -> str | None:
    try:
        contact_of(row)
    except ValueError as err:
        return str(err)
    return None


@pytest.mark.parametrize(
    "body",
    [
        {"name": "A", "phones": []},
        {"name": "", "phones": ["+998901234567"]},
        {"name": "A", "phones": ["+998901234567"], "password": "1234"},
        {"name": "A", "phones": ["+998901234567"], "hours": [{"days": ["mon"], "start": "8:00"}]},
    ],
)
def test_a_contact_body_is_refused_when_it_is_not_one(body: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(body, ContactIn)


def test_a_call_result_outside_the_vocabulary_is_refused() -> None:
    call = {"contact_id": 1, "phone": "+998901234567", "result": "maybe"}
    with pytest.raises(msgspec.ValidationError, match="result"):
        msgspec.convert(call, CallIn)


def test_the_dispatcher_page_names_every_call_result_in_every_language() -> None:
    from tests.unit.test_server.test_web_i18n import catalogs  # noqa: PLC0415  (its node reader)

    wanted = {f"call_result_{result.value}" for result in CallResult} | {"timeline_call"}
    for language, catalog in catalogs("dispatcher").items():
        assert sorted(wanted - set(catalog)) == [], language
