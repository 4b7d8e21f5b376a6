"""Event codes to alert kinds and priorities (reference §1.10).

Contact ID (DC-05) codes are three digits with a separate qualifier (1 new, 3 restore, 6 still
present); SIA (DC-03) codes are two letters whose second letter often says "restore" itself
(``PA`` panic, ``PH`` panic restore). An unknown code maps to ``unknown``: it is still ACKed,
stored and shown, never answered with DUH.

Priorities: 1 life (panic, hold-up, duress, medical, fire, gas), 2 property (burglary, water)
and anything unknown, 3 troubles (tamper, power, battery, communication), 4 log only (tests,
open/close, bypass) and every restore.
"""

from typing import Final, NamedTuple

from device_gateway.signals import LOWEST_PRIORITY, Qualifier, SignalKind

K = SignalKind


class CodeInfo(NamedTuple):
    kind: SignalKind
    description: str
    qualifier: Qualifier = Qualifier.NEW


UNKNOWN_CODE: Final = CodeInfo(K.UNKNOWN, "unknown code")

CID_QUALIFIERS: Final = {"1": Qualifier.NEW, "3": Qualifier.RESTORE, "6": Qualifier.STATUS}

_KIND_PRIORITY: Final = {
    K.PANIC: 1, K.HOLD_UP: 1, K.DURESS: 1, K.MEDICAL: 1, K.FIRE: 1, K.GAS: 1,
    K.INTRUSION: 2, K.WATER: 2, K.UNKNOWN: 2,
    K.TAMPER: 3, K.POWER: 3, K.BATTERY: 3, K.TROUBLE: 3,
    K.TEST: 4, K.OPEN_CLOSE: 4, K.BYPASS: 4, K.SOS: 1, K.POSITION: 4,
}  # fmt: skip

_CID_EXACT: Final = {
    "100": CodeInfo(K.MEDICAL, "medical"),
    "101": CodeInfo(K.MEDICAL, "personal emergency"),
    "102": CodeInfo(K.TROUBLE, "fail to report in"),
    "113": CodeInfo(K.WATER, "water flow"),
    "121": CodeInfo(K.DURESS, "duress"),
    "122": CodeInfo(K.HOLD_UP, "silent hold-up"),
    "123": CodeInfo(K.HOLD_UP, "audible hold-up"),
    "124": CodeInfo(K.DURESS, "duress, access granted"),
    "125": CodeInfo(K.DURESS, "duress, egress granted"),
    "137": CodeInfo(K.TAMPER, "burglary tamper"),
    "141": CodeInfo(K.TROUBLE, "polling loop open"),
    "142": CodeInfo(K.TROUBLE, "polling loop short"),
    "143": CodeInfo(K.TROUBLE, "expansion module failure"),
    "144": CodeInfo(K.TAMPER, "sensor tamper"),
    "145": CodeInfo(K.TAMPER, "expansion module tamper"),
    "146": CodeInfo(K.INTRUSION, "silent burglary"),
    "147": CodeInfo(K.TROUBLE, "sensor supervision failure"),
    "151": CodeInfo(K.GAS, "gas detected"),
    "154": CodeInfo(K.WATER, "water leakage"),
    "162": CodeInfo(K.GAS, "carbon monoxide detected"),
    "301": CodeInfo(K.POWER, "AC loss"),
    "302": CodeInfo(K.BATTERY, "low system battery"),
    "309": CodeInfo(K.BATTERY, "battery test failure"),
    "311": CodeInfo(K.BATTERY, "battery missing"),
    "337": CodeInfo(K.POWER, "expansion module DC loss"),
    "342": CodeInfo(K.POWER, "expansion module AC loss"),
    "350": CodeInfo(K.TROUBLE, "communication trouble"),
    "354": CodeInfo(K.TROUBLE, "failure to communicate event"),
    "383": CodeInfo(K.TAMPER, "sensor tamper"),
    "384": CodeInfo(K.BATTERY, "RF low battery"),
    "406": CodeInfo(K.OPEN_CLOSE, "cancel"),
    "407": CodeInfo(K.OPEN_CLOSE, "remote arm/disarm"),
    "570": CodeInfo(K.BYPASS, "zone bypass"),
    "601": CodeInfo(K.TEST, "manual test"),
    "602": CodeInfo(K.TEST, "periodic test"),
    "603": CodeInfo(K.TEST, "periodic RF transmission"),
}

_CID_RANGES: Final = (
    (100, 109, CodeInfo(K.MEDICAL, "medical")),
    (110, 119, CodeInfo(K.FIRE, "fire")),
    (120, 129, CodeInfo(K.PANIC, "panic")),
    (130, 149, CodeInfo(K.INTRUSION, "burglary")),
    (150, 169, CodeInfo(K.TROUBLE, "24-hour non-burglary")),
    (200, 299, CodeInfo(K.TROUBLE, "fire supervisory")),
    (300, 399, CodeInfo(K.TROUBLE, "system trouble")),
    (400, 499, CodeInfo(K.OPEN_CLOSE, "open/close")),
    (500, 599, CodeInfo(K.BYPASS, "bypass/disable")),
    (600, 699, CodeInfo(K.TEST, "test/miscellaneous")),
)

_R = Qualifier.RESTORE
_SIA: Final = {
    "PA": CodeInfo(K.PANIC, "panic"),
    "PH": CodeInfo(K.PANIC, "panic restore", _R),
    "PR": CodeInfo(K.PANIC, "panic restore", _R),
    "HA": CodeInfo(K.HOLD_UP, "hold-up"),
    "HH": CodeInfo(K.HOLD_UP, "hold-up restore", _R),
    "HR": CodeInfo(K.HOLD_UP, "hold-up restore", _R),
    "MA": CodeInfo(K.MEDICAL, "medical"),
    "MH": CodeInfo(K.MEDICAL, "medical restore", _R),
    "MR": CodeInfo(K.MEDICAL, "medical restore", _R),
    "QA": CodeInfo(K.MEDICAL, "emergency"),
    "QH": CodeInfo(K.MEDICAL, "emergency restore", _R),
    "QR": CodeInfo(K.MEDICAL, "emergency restore", _R),
    "FA": CodeInfo(K.FIRE, "fire"),
    "FH": CodeInfo(K.FIRE, "fire restore", _R),
    "FR": CodeInfo(K.FIRE, "fire restore", _R),
    "KA": CodeInfo(K.FIRE, "heat"),
    "KH": CodeInfo(K.FIRE, "heat restore", _R),
    "GA": CodeInfo(K.GAS, "gas"),
    "GH": CodeInfo(K.GAS, "gas restore", _R),
    "WA": CodeInfo(K.WATER, "water"),
    "WH": CodeInfo(K.WATER, "water restore", _R),
    "BA": CodeInfo(K.INTRUSION, "burglary"),
    "BH": CodeInfo(K.INTRUSION, "burglary restore", _R),
    "BR": CodeInfo(K.INTRUSION, "burglary restore", _R),
    "BV": CodeInfo(K.INTRUSION, "burglary verified"),
    "BB": CodeInfo(K.BYPASS, "burglary bypass"),
    "BU": CodeInfo(K.BYPASS, "burglary unbypass", _R),
    "UB": CodeInfo(K.BYPASS, "zone bypass"),
    "UU": CodeInfo(K.BYPASS, "zone unbypass", _R),
    "TA": CodeInfo(K.TAMPER, "tamper"),
    "TR": CodeInfo(K.TAMPER, "tamper restore", _R),
    "AT": CodeInfo(K.POWER, "AC trouble"),
    "AR": CodeInfo(K.POWER, "AC restore", _R),
    "YT": CodeInfo(K.BATTERY, "battery trouble"),
    "YR": CodeInfo(K.BATTERY, "battery restore", _R),
    "YM": CodeInfo(K.BATTERY, "battery missing"),
    "YC": CodeInfo(K.TROUBLE, "communication fail"),
    "YS": CodeInfo(K.TROUBLE, "communication trouble"),
    "YK": CodeInfo(K.TROUBLE, "communication restore", _R),
    "LT": CodeInfo(K.TROUBLE, "phone line trouble"),
    "LR": CodeInfo(K.TROUBLE, "phone line restore", _R),
    "FT": CodeInfo(K.TROUBLE, "fire trouble"),
    "FJ": CodeInfo(K.TROUBLE, "fire trouble restore", _R),
    "RP": CodeInfo(K.TEST, "automatic test"),
    "RX": CodeInfo(K.TEST, "manual test"),
    "RR": CodeInfo(K.TEST, "power up"),
    "OP": CodeInfo(K.OPEN_CLOSE, "opening"),
    "CL": CodeInfo(K.OPEN_CLOSE, "closing", _R),
    "OA": CodeInfo(K.OPEN_CLOSE, "automatic opening"),
    "CA": CodeInfo(K.OPEN_CLOSE, "automatic closing", _R),
    "OC": CodeInfo(K.OPEN_CLOSE, "cancel"),
    "OR": CodeInfo(K.OPEN_CLOSE, "disarm from alarm"),
}


def cid_code_info(code: str) -> CodeInfo:
    """Kind and description of a three-digit Contact ID event code."""
    exact = _CID_EXACT.get(code)
    if exact is not None:
        return exact
    number = int(code) if code.isdigit() else -1
    for first, last, info in _CID_RANGES:
        if first <= number <= last:
            return info
    return UNKNOWN_CODE


def sia_code_info(code: str) -> CodeInfo:
    """Kind, description and implied qualifier of a two-letter SIA code."""
    return _SIA.get(code, UNKNOWN_CODE)


def priority_for(kind: SignalKind, qualifier: Qualifier) -> int:
    """1 (life) … 4 (log only); restores never outrank the condition they end."""
    if qualifier is Qualifier.RESTORE:
        return LOWEST_PRIORITY
    return _KIND_PRIORITY[kind]


def user_numbered(kind: SignalKind) -> bool:
    """Open/close events carry a user number where others carry a zone."""
    return kind is SignalKind.OPEN_CLOSE
