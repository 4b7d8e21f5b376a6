"""GT06 (Concox/Jimi) binary tracker protocol over TCP, sans-I/O (reference §4.3)."""

from device_gateway.protocols.gt06.messages import Heartbeat, Location, Login, Other
from device_gateway.protocols.gt06.receiver import (
    Gt06Connection,
    Gt06Event,
    PacketReceived,
    PacketRejected,
    StreamAbandoned,
)
from device_gateway.protocols.gt06.stream import Gt06Stream, gt06_received

__all__ = [
    "Gt06Connection",
    "Gt06Event",
    "Gt06Stream",
    "Heartbeat",
    "Location",
    "Login",
    "Other",
    "PacketReceived",
    "PacketRejected",
    "StreamAbandoned",
    "gt06_received",
]
