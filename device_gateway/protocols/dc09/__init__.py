"""SIA DC-09, sans-I/O: framing, CRC, AES, payloads, code tables and the receiver.

The gateway needs only :class:`Dc09Receiver`, which speaks the protocol-neutral events of
:mod:`device_gateway.signals`; simulators and tests build frames with :func:`encode_frame` and
:func:`encrypt_content`.
"""

from device_gateway.protocols.dc09.crypto import encrypt_content, parse_key
from device_gateway.protocols.dc09.frames import CrcForm, Header, encode_frame
from device_gateway.protocols.dc09.receiver import (
    AccountLookup,
    AccountPolicy,
    Dc09Receiver,
    ReceiverConfig,
    ReceiverEvent,
    UnknownAccountAction,
)

__all__ = [
    "AccountLookup",
    "AccountPolicy",
    "CrcForm",
    "Dc09Receiver",
    "Header",
    "ReceiverConfig",
    "ReceiverEvent",
    "UnknownAccountAction",
    "encode_frame",
    "encrypt_content",
    "parse_key",
]
