"""One GT06 TCP connection, sans-I/O: bytes in, decoded packets and their ACKs out.

A tracker must log in (0x01, its IMEI) before anything else counts: without the login ACK it
never sends positions, and a packet before the login has no IMEI to belong to, so it is
rejected without a reply. Every packet after the login is ACKed with ``78 78 05 <proto>
<serial> <crc> 0D 0A``; the transport writes that ACK only once the packet is stored, exactly as
for DC-09. A packet with a bad CRC gets no reply (the tracker resends it). A stream that sends
more garbage than the framer allows between two packets is :class:`StreamAbandoned`, once: the
transport hangs up, and nothing it sends afterwards is read.
"""

import enum

import msgspec

from device_gateway.errors import FrameTooLongError, MalformedFrameError, RemoteProtocolError
from device_gateway.protocols.gt06.frames import Gt06Framer, Packet, encode_packet
from device_gateway.protocols.gt06.messages import Login, Message, decode


class State(enum.Enum):
    AWAITING_LOGIN = "awaiting_login"
    LOGGED_IN = "logged_in"
    ABANDONED = "abandoned"


class PacketReceived(msgspec.Struct, frozen=True, kw_only=True, tag="received"):
    imei: str
    serial: int
    message: Message
    ack: bytes
    raw: bytes


class PacketRejected(msgspec.Struct, frozen=True, kw_only=True, tag="rejected"):
    reason: str
    detail: str


class StreamAbandoned(msgspec.Struct, frozen=True, kw_only=True, tag="abandoned"):
    """The stream is not GT06 (too much garbage): close the connection."""

    reason: str
    detail: str


Gt06Event = PacketReceived | PacketRejected | StreamAbandoned


class Gt06Connection:
    def __init__(self) -> None:
        self._framer = Gt06Framer()
        self._state = State.AWAITING_LOGIN
        self._imei: str | None = None
        self._events: list[Gt06Event] = []

    @property
    def imei(self) -> str | None:
        return self._imei

    @property
    def state(self) -> State:
        return self._state

    def receive_data(self, data: bytes) -> None:
        for item in self._framer.feed(data):
            self._events.append(self._handle(item))
        if self._framer.abandoned:
            self._state = State.ABANDONED

    def events_received(self) -> list[Gt06Event]:
        events, self._events = self._events, []
        return events

    def _handle(self, item: Packet | RemoteProtocolError) -> Gt06Event:
        if isinstance(item, FrameTooLongError):
            return StreamAbandoned(reason=item.reason, detail=str(item))
        if isinstance(item, RemoteProtocolError):
            return PacketRejected(reason=item.reason, detail=str(item))
        try:
            message = decode(item)
            if isinstance(message, Login):
                self._state, self._imei = State.LOGGED_IN, message.imei
            if self._state is State.AWAITING_LOGIN or self._imei is None:
                raise MalformedFrameError(f"GT06 packet 0x{item.protocol:02x} before the login")
        except RemoteProtocolError as err:
            return PacketRejected(reason=err.reason, detail=str(err))
        return PacketReceived(
            imei=self._imei,
            serial=item.serial,
            message=message,
            ack=encode_packet(item.protocol, b"", item.serial),
            raw=item.raw,
        )
