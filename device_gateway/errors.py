"""Errors raised by the device gateway.

Every error names who is at fault, the way h11 and websockets do::

    GatewayError
     ├── RemoteProtocolError            the device sent something we cannot accept
     │    ├── FrameTooLongError         no CR within MAX_FRAME_BYTES of the LF
     │    ├── CrcMismatchError          CRC field does not match the bytes
     │    ├── LengthMismatchError       length field does not match the bytes
     │    ├── MalformedFrameError       header or block structure does not parse
     │    ├── UnsupportedTokenError     an ID token we do not handle (answered with DUH)
     │    ├── UnknownAccountError       account not registered (policy decides the reply)
     │    ├── MissingKeyError           encrypted message, but we hold no key for the account
     │    ├── DecryptionError           ciphertext that does not decrypt to a DC-09 block
     │    ├── TimestampError            encrypted message without a timestamp or outside the window
     │    └── PlaintextRejectedError    plaintext from an account that must encrypt
     └── LocalProtocolError             our own configuration or call is wrong
          └── InvalidKeyError           an AES key of the wrong size or format

``reason`` is a short, stable, machine-readable name for counters and logs, set per class like
Litestar's ``status_code``.
"""

from typing import ClassVar


class GatewayError(Exception):
    """Base class of every error the device gateway raises."""

    reason: ClassVar[str] = "gateway"


class RemoteProtocolError(GatewayError):
    """The device violated the protocol; the reply (NAK, DUH or silence) tells it so."""

    reason: ClassVar[str] = "protocol"


class LocalProtocolError(GatewayError):
    """We are at fault: bad configuration or a bad call into the protocol library."""

    reason: ClassVar[str] = "local"


class FrameTooLongError(RemoteProtocolError):
    reason: ClassVar[str] = "oversize"


class CrcMismatchError(RemoteProtocolError):
    reason: ClassVar[str] = "crc"


class LengthMismatchError(RemoteProtocolError):
    reason: ClassVar[str] = "length"


class MalformedFrameError(RemoteProtocolError):
    reason: ClassVar[str] = "format"


class UnsupportedTokenError(RemoteProtocolError):
    reason: ClassVar[str] = "token"


class UnknownAccountError(RemoteProtocolError):
    reason: ClassVar[str] = "account"


class MissingKeyError(RemoteProtocolError):
    reason: ClassVar[str] = "no_key"


class DecryptionError(RemoteProtocolError):
    reason: ClassVar[str] = "decrypt"


class TimestampError(RemoteProtocolError):
    reason: ClassVar[str] = "timestamp"


class PlaintextRejectedError(RemoteProtocolError):
    reason: ClassVar[str] = "plaintext"


class InvalidKeyError(LocalProtocolError):
    reason: ClassVar[str] = "invalid_key"
