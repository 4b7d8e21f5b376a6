"""Teltonika trackers over TCP, Codec 8 and Codec 8 Extended, sans-I/O.

``frames`` cuts the stream (IMEI handshake, AVL packets, CRC-16/IBM); ``records`` reads the AVL
records; ``connection`` turns both into the gateway's events. The registry line in
:mod:`device_gateway.registry` is all the rest of Posbon needs to serve it.
"""

from device_gateway.protocols.teltonika.connection import (
    ACCEPT,
    ALARM_IO,
    REFUSE,
    TeltonikaConnection,
    count_reply,
    packet_received,
)
from device_gateway.protocols.teltonika.records import AvlPacket, AvlRecord, decode_packet

__all__ = [
    "ACCEPT",
    "ALARM_IO",
    "REFUSE",
    "AvlPacket",
    "AvlRecord",
    "TeltonikaConnection",
    "count_reply",
    "decode_packet",
    "packet_received",
]
