"""One Teltonika TCP connection, sans-I/O: bytes in, the gateway's events out.

The device names itself first (:class:`~device_gateway.signals.Identified`: the gateway asks the
device registry, then answers ``01``, or ``00`` and hangs up). Each AVL packet after that is one
:class:`~device_gateway.signals.Received` with a signal per record, answered with the packet's
record count once committed; a resend of a packet the device got no count for is the same bytes,
so the same dedup key, and is answered again without being stored twice.

A record is an SOS when the device says so: its priority is *panic*, or it carries the alarm
event (AVL ID 236, which the alarm button of Teltonika's personal trackers raises). Otherwise it
is a position report, or only proof of life when it has no position. A coordinate off the globe
(or exactly 0, 0: no fix yet) is no position, but the record stands: an SOS without a fix is
still an SOS. The IO elements are kept with each signal (``io<id>`` in its x-data).

A packet whose CRC fails is answered with a count of 0, so the device sends it again at once. A
packet whose CRC holds but whose data does not read as Codec 8 or 8 Extended is stored as one
"unknown" signal and answered with the count it announced: nothing the device sent intact is
dropped silently, and nothing wedges a device that resends forever.
"""

from datetime import UTC, datetime
from typing import Final

import msgspec

from device_gateway.errors import CrcMismatchError, RemoteProtocolError
from device_gateway.protocols.teltonika.frames import Imei, Packet, TeltonikaFramer
from device_gateway.protocols.teltonika.records import (
    PRIORITY_PANIC,
    AvlRecord,
    decode_packet,
    record_count,
)
from device_gateway.signals import (
    Event,
    Identified,
    Qualifier,
    Received,
    Refused,
    Signal,
    SignalKind,
)
from device_gateway.trackers import (
    located,
    on_the_globe,
    proof_of_life,
    tracker_received,
    tracker_signal,
)

CODE_FAMILY: Final = "teltonika"
ACCEPT: Final = b"\x01"
REFUSE: Final = b"\x00"
COUNT_BYTES: Final = 4
ALARM_IO: Final = 236
"""AVL ID 236, "Alarm": the event the alarm (SOS) button raises on Teltonika's trackers."""
UNKNOWN_PRIORITY: Final = 2
"""As DC-09 ranks an unknown code: below life, with property, so that someone looks."""
UNREAD_SEQ: Final = "unread"
MS_PER_S: Final = 1000


def count_reply(records: int) -> bytes:
    return records.to_bytes(COUNT_BYTES, "big")


class TeltonikaConnection:
    """One Teltonika TCP connection (a :class:`~device_gateway.signals.Connection`)."""

    def __init__(self) -> None:
        self._framer = TeltonikaFramer()
        self._imei: str | None = None
        self._events: list[Event] = []

    @property
    def imei(self) -> str | None:
        return self._imei

    def receive_data(self, data: bytes, now: datetime) -> None:
        for item in self._framer.feed(data):
            self._events.append(self._handle(item, now))

    def events_received(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def _handle(self, item: Imei | Packet | RemoteProtocolError, now: datetime) -> Event:
        match item:
            case Imei(imei=imei):
                self._imei = imei
                return Identified(account=imei, accept=ACCEPT, refuse=REFUSE)
            case Packet():
                assert self._imei is not None  # the framer reads packets only after the IMEI
                return packet_received(self._imei, item, now)
            case CrcMismatchError():
                return Refused(reason=item.reason, detail=str(item), reply=count_reply(0))
            case _:  # the stream is given up on; a device still waiting for its welcome hears
                reply = REFUSE if self._imei is None else None  # that it is refused
                return Refused(reason=item.reason, detail=str(item), reply=reply, hang_up=True)


def packet_received(imei: str, packet: Packet, now: datetime) -> Received:
    """The signals of one packet, answered with its record count once they are stored."""
    data = packet.raw.hex()
    try:
        records = decode_packet(packet.data).records
    except RemoteProtocolError as err:
        signal = _unreadable(imei, packet, now, str(err))
        reply = count_reply(record_count(packet.data))
        return tracker_received((signal,), seq=UNREAD_SEQ, data=data, reply=reply)
    signals = tuple(record_signal(imei, record, index, now) for index, record in enumerate(records))
    seq = str(records[0].timestamp_ms)
    return tracker_received(signals, seq=seq, data=data, reply=count_reply(len(records)))


def record_signal(imei: str, record: AvlRecord, index: int, now: datetime) -> Signal:
    sos = record.priority == PRIORITY_PANIC or bool(record.io.get(ALARM_IO))
    signal = tracker_signal(
        imei, CODE_FAMILY, sos=sos, received_at=now, raw=record.raw.hex(), code=str(record.event_io)
    )
    lat, lon = record.latitude, record.longitude
    fixed = on_the_globe(lat, lon) and (lat, lon) != (0.0, 0.0)
    signal = located(signal, lat if fixed else None, lon if fixed else None, _device_time(record))
    if not (sos or fixed):
        signal = proof_of_life(signal, "Teltonika record without a position")
    return msgspec.structs.replace(signal, event_index=index, xdata=_xdata(record))


def _device_time(record: AvlRecord) -> datetime | None:
    try:
        return datetime.fromtimestamp(record.timestamp_ms / MS_PER_S, UTC)
    except (OverflowError, OSError, ValueError):
        return None  # a timestamp past what a datetime holds: the receive time stands in


def _xdata(record: AvlRecord) -> dict[str, str]:
    fields = {
        "priority": record.priority,
        "altitude_m": record.altitude_m,
        "angle": record.angle,
        "satellites": record.satellites,
        "speed_kph": record.speed_kph,
    }
    xdata = {name: str(value) for name, value in fields.items()}
    xdata.update((f"io{key}", str(value)) for key, value in record.io.items())
    xdata.update((f"io{key}", value.hex()) for key, value in record.io_bytes.items())
    return xdata


def _unreadable(imei: str, packet: Packet, now: datetime, why: str) -> Signal:
    raw = packet.raw.hex()
    return Signal(
        account=imei,
        code_family=CODE_FAMILY,
        code="",
        qualifier=Qualifier.NEW,
        kind=SignalKind.UNKNOWN,
        priority=UNKNOWN_PRIORITY,
        description=f"unreadable Teltonika packet: {why}",
        received_at=now,
        raw=raw,
        content=raw,
    )
