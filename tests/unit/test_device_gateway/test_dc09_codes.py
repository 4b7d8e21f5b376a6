"""Contact ID and SIA codes to alert kind and priority (reference §1.10)."""

import pytest

from device_gateway.protocols.dc09.codes import cid_code_info, priority_for, sia_code_info
from device_gateway.signals import Qualifier, SignalKind


@pytest.mark.parametrize(
    ("code", "kind", "priority"),
    [
        ("120", SignalKind.PANIC, 1),
        ("121", SignalKind.DURESS, 1),
        ("122", SignalKind.HOLD_UP, 1),
        ("123", SignalKind.HOLD_UP, 1),
        ("100", SignalKind.MEDICAL, 1),
        ("101", SignalKind.MEDICAL, 1),
        ("110", SignalKind.FIRE, 1),
        ("117", SignalKind.FIRE, 1),
        ("113", SignalKind.WATER, 2),
        ("130", SignalKind.INTRUSION, 2),
        ("137", SignalKind.TAMPER, 3),
        ("144", SignalKind.TAMPER, 3),
        ("383", SignalKind.TAMPER, 3),
        ("301", SignalKind.POWER, 3),
        ("302", SignalKind.BATTERY, 3),
        ("309", SignalKind.BATTERY, 3),
        ("350", SignalKind.TROUBLE, 3),
        ("354", SignalKind.TROUBLE, 3),
        ("401", SignalKind.OPEN_CLOSE, 4),
        ("406", SignalKind.OPEN_CLOSE, 4),
        ("570", SignalKind.BYPASS, 4),
        ("602", SignalKind.TEST, 4),
        ("603", SignalKind.TEST, 4),
        ("999", SignalKind.UNKNOWN, 2),
        ("X1Z", SignalKind.UNKNOWN, 2),
    ],
)
def test_contact_id_codes_map_to_kind_and_priority(
    code: str, kind: SignalKind, priority: int
) -> None:
    info = cid_code_info(code)
    assert info.kind is kind
    assert priority_for(info.kind, Qualifier.NEW) == priority


@pytest.mark.parametrize(
    ("code", "kind", "qualifier"),
    [
        ("PA", SignalKind.PANIC, Qualifier.NEW),
        ("PH", SignalKind.PANIC, Qualifier.RESTORE),
        ("HA", SignalKind.HOLD_UP, Qualifier.NEW),
        ("MA", SignalKind.MEDICAL, Qualifier.NEW),
        ("QA", SignalKind.MEDICAL, Qualifier.NEW),
        ("FA", SignalKind.FIRE, Qualifier.NEW),
        ("BA", SignalKind.INTRUSION, Qualifier.NEW),
        ("TA", SignalKind.TAMPER, Qualifier.NEW),
        ("AT", SignalKind.POWER, Qualifier.NEW),
        ("AR", SignalKind.POWER, Qualifier.RESTORE),
        ("YT", SignalKind.BATTERY, Qualifier.NEW),
        ("YR", SignalKind.BATTERY, Qualifier.RESTORE),
        ("RP", SignalKind.TEST, Qualifier.NEW),
        ("YK", SignalKind.TROUBLE, Qualifier.RESTORE),
        ("OP", SignalKind.OPEN_CLOSE, Qualifier.NEW),
        ("CL", SignalKind.OPEN_CLOSE, Qualifier.RESTORE),
        ("NF", SignalKind.UNKNOWN, Qualifier.NEW),
    ],
)
def test_sia_codes_map_to_kind_and_qualifier(
    code: str, kind: SignalKind, qualifier: Qualifier
) -> None:
    info = sia_code_info(code)
    assert (info.kind, info.qualifier) == (kind, qualifier)


def test_restores_never_outrank_the_condition() -> None:
    assert priority_for(SignalKind.PANIC, Qualifier.RESTORE) == 4
    assert priority_for(SignalKind.PANIC, Qualifier.STATUS) == 1
