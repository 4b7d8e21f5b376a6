"""The gateway's vocabulary: what every device protocol hands to the rest of Posbon.

A :class:`Signal` is one event from one device, already mapped to a :class:`SignalKind` and a
priority. ``kind`` names the *condition* (``power`` for both AC loss and AC restore);
``qualifier`` says whether the condition is new, restored or still present, so the alert rules
can close or annotate the open alert of the same kind instead of opening a new one. A device is
named by ``account``, the key of the device registry whatever the protocol calls it (a DC-09
account, a tracker's IMEI, a phone's OsmAnd id); what only one protocol has rides in an optional
origin (:class:`Dc09Origin`: receiver, line, sequence number, token, encryption).

A protocol connection is sans-I/O (:class:`Connection`): bytes and the time in, events out.
Each event is one of

* :class:`Received` — signals to commit; ``reply`` (an ACK, a record count) is sent only once
  they are committed, and again for a retransmission (the same :class:`DedupKey`);
* :class:`Refused` — a message refused; its ``reply`` (a NAK, or None for silence) goes at once,
  and ``hang_up`` says the stream is not this protocol at all (garbage);
* :class:`Identified` — a device named itself and waits to hear whether it is welcome: the
  gateway asks the device registry and answers ``accept`` or ``refuse`` (then hangs up).
"""

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Final, Protocol

import msgspec

HIGHEST_PRIORITY: Final = 1
LOWEST_PRIORITY: Final = 4

Priority = Annotated[int, msgspec.Meta(ge=HIGHEST_PRIORITY, le=LOWEST_PRIORITY)]


class SignalKind(enum.StrEnum):
    """What happened, independent of the protocol or code family that said it."""

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
    """The code families the built-in protocols use. ``Signal.code_family`` is a plain string:
    a new protocol names its own family without adding a member here."""

    CONTACT_ID = "cid"
    SIA = "sia"
    NULL = "null"
    OSMAND = "osmand"
    GT06 = "gt06"
    IOT = "iot"


class Dc09Origin(msgspec.Struct, frozen=True, kw_only=True):
    """Where a DC-09 frame came from, as its header says: echoed in the ACK, kept with the
    signal, and (encrypted) part of what tells a replay from a new event."""

    receiver: str | None
    line: str | None
    seq: str
    token: str
    encrypted: bool


class Signal(msgspec.Struct, frozen=True, kw_only=True):
    """One event from one device.

    ``code`` is the protocol's own name for the event (Contact ID ``"120"``, SIA ``"PA"``, a
    tracker's message type); ``description`` is a human sentence for it. ``raw`` is the message
    as received (ciphertext for encrypted DC-09) and ``content`` its readable text.
    """

    account: str
    """The device's identity in the device registry (DC-09 account, IMEI, OsmAnd id …)."""
    code_family: str
    code: str
    qualifier: Qualifier
    kind: SignalKind
    priority: Priority
    description: str
    received_at: datetime
    raw: str
    content: str
    origin: Dc09Origin | None = None
    event_index: int = 0
    zone: str | None = None
    user: str | None = None
    partition: str | None = None
    text: str | None = None
    panel_time: datetime | None = None
    """The device's own time for the event, when it sent one."""
    xdata: dict[str, str] = msgspec.field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    """Where a tracker or phone was (None for panels, which are where their site is)."""


class DedupKey(msgspec.Struct, frozen=True, kw_only=True):
    """Same key within 10 minutes = a retransmission: answer it again, raise nothing new.

    ``seq`` is what the device numbers or stamps its messages with (a DC-09 sequence number, a
    GT06 serial, a report's time); ``scope`` is whatever else the protocol says tells two
    messages of one device apart (DC-09: line, receiver and token)."""

    account: str
    seq: str
    data_sha256: str
    scope: tuple[str | None, ...] = ()


class Received(msgspec.Struct, frozen=True, kw_only=True, tag="received"):
    """Signals to commit, and the reply the device gets once they are committed."""

    signals: tuple[Signal, ...]
    dedup_key: DedupKey
    reply: bytes
    registered: bool = True
    """False: nobody registered the device (it gets a small share of the queue)."""


class Refused(msgspec.Struct, frozen=True, kw_only=True, tag="refused"):
    """A message refused: ``reason`` is the error's stable name (for counters), ``reply`` what
    to send at once (None: nothing). ``hang_up``: the stream is given up on."""

    reason: str
    detail: str
    reply: bytes | None = None
    raw: bytes = b""
    account: str | None = None
    hang_up: bool = False


class Identified(msgspec.Struct, frozen=True, kw_only=True, tag="identified"):
    """A device named itself (a Teltonika IMEI); ``accept`` or ``refuse`` answers it."""

    account: str
    accept: bytes
    refuse: bytes


Event = Received | Refused | Identified


class Connection(Protocol):
    """One stream's protocol state, sans-I/O: the transport feeds bytes (b"" at EOF) with the
    current time, then drains the events, in order."""

    def receive_data(self, data: bytes, now: datetime) -> None: ...

    def events_received(self) -> Sequence[Event]: ...


class DatagramConnection(Protocol):
    """A protocol that also reads datagrams (DC-09 over UDP): one datagram, one message."""

    def receive_datagram(self, datagram: bytes, now: datetime) -> None: ...

    def events_received(self) -> Sequence[Event]: ...
