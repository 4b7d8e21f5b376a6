"""Contact ID and SIA codes to alert kind and priority (reference §1.10)."""

import pytest

from device_gateway.protocols.dc09.codes import cid_code_info, priority_for, sia_code_info
from device_gateway.signals import AlertKind, Qualifier


@pytest.mark.parametrize(
    ("code", "kind", "priority"),
    [
        ("120", AlertKind.PANIC, 1),
        ("121", AlertKind.DURESS, 1),
        ("122", AlertKind.HOLD_UP, 1),
        ("123", AlertKind.HOLD_UP, 1),
        ("100", AlertKind.MEDICAL, 1),
        ("101", AlertKind.MEDICAL, 1),
        ("110", AlertKind.FIRE, 1),
        ("117", AlertKind.FIRE, 1),
        ("113", AlertKind.WATER, 2),
        ("130", AlertKind.INTRUSION, 2),
        ("137", AlertKind.TAMPER, 3),
        ("144", AlertKind.TAMPER, 3),
        ("383", AlertKind.TAMPER, 3),
        ("301", AlertKind.POWER, 3),
        ("302", AlertKind.BATTERY, 3),
        ("309", AlertKind.BATTERY, 3),
        ("350", AlertKind.TROUBLE, 3),
        ("354", AlertKind.TROUBLE, 3),
        ("401", AlertKind.OPEN_CLOSE, 4),
        ("406", AlertKind.OPEN_CLOSE, 4),
        ("570", AlertKind.BYPASS, 4),
        ("602", AlertKind.TEST, 4),
        ("603", AlertKind.TEST, 4),
        ("999", AlertKind.UNKNOWN, 2),
        ("X1Z", AlertKind.UNKNOWN, 2),
    ],
)
def test_contact_id_codes_map_to_kind_and_priority(
    code: str, kind: AlertKind, priority: int
) -> None:
    info = cid_code_info(code)
    assert info.kind is kind
    assert priority_for(info.kind, Qualifier.NEW) == priority


@pytest.mark.parametrize(
    ("code", "kind", "qualifier"),
    [
        ("PA", AlertKind.PANIC, Qualifier.NEW),
        ("PH", AlertKind.PANIC, Qualifier.RESTORE),
        ("HA", AlertKind.HOLD_UP, Qualifier.NEW),
        ("MA", AlertKind.MEDICAL, Qualifier.NEW),
        ("QA", AlertKind.MEDICAL, Qualifier.NEW),
        ("FA", AlertKind.FIRE, Qualifier.NEW),
        ("BA", AlertKind.INTRUSION, Qualifier.NEW),
        ("TA", AlertKind.TAMPER, Qualifier.NEW),
        ("AT", AlertKind.POWER, Qualifier.NEW),
        ("AR", AlertKind.POWER, Qualifier.RESTORE),
        ("YT", AlertKind.BATTERY, Qualifier.NEW),
        ("YR", AlertKind.BATTERY, Qualifier.RESTORE),
        ("RP", AlertKind.TEST, Qualifier.NEW),
        ("YK", AlertKind.TROUBLE, Qualifier.RESTORE),
        ("OP", AlertKind.OPEN_CLOSE, Qualifier.NEW),
        ("CL", AlertKind.OPEN_CLOSE, Qualifier.RESTORE),
        ("NF", AlertKind.UNKNOWN, Qualifier.NEW),
    ],
)
def test_sia_codes_map_to_kind_and_qualifier(
    code: str, kind: AlertKind, qualifier: Qualifier
) -> None:
    info = sia_code_info(code)
    assert (info.kind, info.qualifier) == (kind, qualifier)


def test_restores_never_outrank_the_condition() -> None:
    assert priority_for(AlertKind.PANIC, Qualifier.RESTORE) == 4
    assert priority_for(AlertKind.PANIC, Qualifier.STATUS) == 1
