"""Normalized signals: what every device protocol hands to the rest of Posbon.

A :class:`Signal` is one event from one device, already mapped to an alert kind and a priority.
``kind`` names the *condition* (``power`` for both AC loss and AC restore); ``qualifier`` says
whether the condition is new, restored or still present, so the alert rules can close or annotate
the open alert of the same kind instead of opening a new one.
"""

import enum
from datetime import datetime
from typing import Annotated, Final

import msgspec

HIGHEST_PRIORITY: Final = 1
LOWEST_PRIORITY: Final = 4

Priority = Annotated[int, msgspec.Meta(ge=HIGHEST_PRIORITY, le=LOWEST_PRIORITY)]


class AlertKind(enum.StrEnum):
    """What happened, independent of the code family that said it."""

    PANIC = "panic"
    SOS = "sos"
    """A personal or GPS SOS (phone app, tracker, IoT button), located by ``lat``/``lon``."""
    HOLD_UP = "hold_up"
    DURESS = "duress"
    MEDICAL = "medical"
    FIRE = "fire"
    GAS = "gas"
    WATER = "water"
    INTRUSION = "intrusion"
    TAMPER = "tamper"
    POWER = "power"
    BATTERY = "battery"
    TROUBLE = "trouble"
    TEST = "test"
    OPEN_CLOSE = "open_close"
    BYPASS = "bypass"
    POSITION = "position"
    """A tracker's or phone's position report: stored, never an alert."""
    UNKNOWN = "unknown"


class Qualifier(enum.StrEnum):
    """Contact ID qualifier 1 / 3 / 6, and its SIA equivalents."""

    NEW = "new"
    RESTORE = "restore"
    STATUS = "status"


class CodeFamily(enum.StrEnum):
    CONTACT_ID = "cid"
    SIA = "sia"
    NULL = "null"
    OSMAND = "osmand"
    GT06 = "gt06"
    IOT = "iot"


class Signal(msgspec.Struct, frozen=True, kw_only=True):
    """One event from one device.

    ``code`` is the Contact ID event (``"120"``) or the SIA code (``"PA"``); ``description`` is a
    human sentence for it. ``raw`` is the frame as received (ciphertext for encrypted frames) and
    ``content`` the plaintext block text ``[data][x-data]_timestamp``.
    """

    account: str
    receiver: str | None
    line: str | None
    seq: str
    token: str
    encrypted: bool
    code_family: CodeFamily
    code: str
    qualifier: Qualifier
    kind: AlertKind
    priority: Priority
    description: str
    received_at: datetime
    raw: str
    content: str
    event_index: int = 0
    zone: str | None = None
    user: str | None = None
    partition: str | None = None
    text: str | None = None
    panel_time: datetime | None = None
    xdata: dict[str, str] = msgspec.field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    """Where a tracker or phone was (None for panels, which are where their site is)."""
