"""Every device protocol Posbon serves, one line each: the server loops over this list.

An entry names the protocol (the ``protocol`` of its devices in the registry, and its setting:
``<name>_port``), its transport, the port Traccar and the devices' manuals use, and, for a stream
protocol, the sans-I/O connection each TCP connection gets. The server binds every port from
here before anything starts, serves each stream protocol through the one TCP pump
(:mod:`device_gateway.transports.tcp`) and reports the ports it bound.

DC-09 (TCP and UDP on one port, keys from the device registry) and the device HTTP port
(OsmAnd and IoT webhooks) are wired by the server itself: their entries carry no connection.
Adding a tracker protocol over TCP is its folder under ``protocols/`` plus one line here (and
its port setting).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Final

import msgspec

from device_gateway.protocols.gt06 import Gt06Stream
from device_gateway.protocols.teltonika import TeltonikaConnection
from device_gateway.signals import Connection


class Transport(enum.StrEnum):
    TCP = "TCP"
    TCP_AND_UDP = "TCP+UDP"
    HTTP = "HTTP"


class DeviceProtocol(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    title: str
    transport: Transport
    default_port: int
    docs: str
    connection: Callable[[], Connection] | None = None
    """A new stream connection's protocol state; None: the server wires the protocol itself."""

    @property
    def setting(self) -> str:
        """The setting (and so the flag and variable) that holds its port."""
        return f"{self.name}_port"


PROTOCOLS: Final = (
    DeviceProtocol(
        name="dc09",
        title="DC-09",
        transport=Transport.TCP_AND_UDP,
        default_port=12128,
        docs="SIA DC-09 alarm panels and panic buttons, with or without AES",
    ),
    DeviceProtocol(
        name="osmand",
        title="OsmAnd/IoT",
        transport=Transport.HTTP,
        default_port=5055,
        docs="Traccar Client phones (OsmAnd) and IoT button webhooks on /iot",
    ),
    DeviceProtocol(
        name="gt06",
        title="GT06",
        transport=Transport.TCP,
        default_port=5023,
        docs="GT06 (Concox/Jimi) vehicle and personal trackers",
        connection=Gt06Stream,
    ),
    DeviceProtocol(
        name="teltonika",
        title="Teltonika",
        transport=Transport.TCP,
        default_port=5027,
        docs="Teltonika trackers, Codec 8 and Codec 8 Extended",
        connection=TeltonikaConnection,
    ),
)


def stream_protocols() -> list[DeviceProtocol]:
    """The protocols served by the one TCP pump, as they are listed."""
    return [protocol for protocol in PROTOCOLS if protocol.connection is not None]


def find(name: str) -> DeviceProtocol:
    """The entry named ``name`` (a KeyError for a name nobody registered)."""
    return {protocol.name: protocol for protocol in PROTOCOLS}[name]
