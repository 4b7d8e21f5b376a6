"""A GT06 connection as the gateway sees it: decoded packets become signals and refusals.

:class:`~device_gateway.protocols.gt06.receiver.Gt06Connection` decodes; this maps what it
decodes onto the protocol-neutral events of :mod:`device_gateway.signals`. A location or alarm
packet is a position or an SOS (at its position when that is on the globe); a login, a heartbeat
or a packet we do not read only proves the tracker alive. The ACK Traccar's trackers expect is
the reply, sent once the packet is stored; a resend of the same packet (same IMEI, serial and
bytes) is a retransmission.
"""

from datetime import datetime

from device_gateway.protocols.gt06.messages import Heartbeat, Location
from device_gateway.protocols.gt06.receiver import (
    Gt06Connection,
    PacketReceived,
    PacketRejected,
    StreamAbandoned,
)
from device_gateway.signals import CodeFamily, Event, Received, Refused
from device_gateway.trackers import located, proof_of_life, tracker_received, tracker_signal


class Gt06Stream:
    """One GT06 TCP connection (a :class:`~device_gateway.signals.Connection`)."""

    def __init__(self) -> None:
        self._connection = Gt06Connection()
        self._events: list[Event] = []

    def receive_data(self, data: bytes, now: datetime) -> None:
        self._connection.receive_data(data)
        for event in self._connection.events_received():
            match event:
                case PacketReceived():
                    self._events.append(gt06_received(event, now))
                case PacketRejected(reason=reason, detail=detail):
                    self._events.append(Refused(reason=reason, detail=detail))
                case StreamAbandoned(reason=reason, detail=detail):
                    self._events.append(Refused(reason=reason, detail=detail, hang_up=True))

    def events_received(self) -> list[Event]:
        events, self._events = self._events, []
        return events


def gt06_received(packet: PacketReceived, now: datetime) -> Received:
    message = packet.message
    sos = isinstance(message, Location | Heartbeat) and message.sos
    code = type(message).__name__.lower()
    signal = tracker_signal(
        packet.imei, CodeFamily.GT06, sos=sos, received_at=now, raw=packet.raw.hex(), code=code
    )
    if isinstance(message, Location):
        signal = located(signal, message.lat, message.lon, message.device_time)
    elif not sos:  # login, heartbeat, other: proof of life only
        signal = proof_of_life(signal, f"GT06 {code}")
    return tracker_received(
        (signal,), seq=f"{packet.serial:05d}", data=packet.raw.hex(), reply=packet.ack
    )
