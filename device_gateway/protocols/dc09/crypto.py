"""DC-09 encryption: AES-CBC with a zero IV, random pad, and the ``|`` separator.

The encrypted region starts after the ``[`` and runs to the end of the timestamp:
``<pad>|<data>]<x-data>_<timestamp>``, sent as hex (upper or lower case). Pad bytes are random,
never ``|``, ``[`` or ``]``, and fill the region to a multiple of 16 bytes (16 when it already
is one). Some senders (siadc09) leave out the ``|`` when the data is empty, so the plaintext is
split at the first ``|`` if it comes before the first ``]``, and at that ``]`` otherwise.

Keys are 16, 24 or 32 bytes. Vendors disagree on how a key is typed in (hex digits or the ASCII
characters themselves), so every account names its ``key_format``.
"""

import re
from collections.abc import Callable
from typing import Final, Literal

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from device_gateway.errors import DecryptionError, InvalidKeyError, LocalProtocolError

KeyFormat = Literal["hex", "ascii"]
RandomBytes = Callable[[int], bytes]
"""Source of random bytes, e.g. ``os.urandom``; tests pass a deterministic one."""

AES_BLOCK_BYTES: Final = 16
KEY_SIZES_BYTES: Final = (16, 24, 32)
ZERO_IV: Final = bytes(AES_BLOCK_BYTES)
PAD_FORBIDDEN: Final = frozenset(b"|[]")
SEPARATOR: Final = b"|"
LOWEST_TEXT_BYTE: Final = 0x20
_HEX_TEXT = re.compile(rb"(?:[0-9A-Fa-f]{32})+")


def parse_key(key: str, key_format: KeyFormat) -> bytes:
    """Turn a configured key into AES key bytes; raise InvalidKeyError if it cannot be one."""
    if key_format == "hex":
        try:
            key_bytes = bytes.fromhex(key)
        except ValueError as err:
            raise InvalidKeyError("hex key contains non-hex characters") from err
    else:
        key_bytes = key.encode("utf-8")
    check_key(key_bytes)
    return key_bytes


def check_key(key: bytes) -> None:
    if len(key) not in KEY_SIZES_BYTES:
        raise InvalidKeyError(f"AES key must be 16, 24 or 32 bytes, not {len(key)}")


def _cipher(key: bytes) -> Cipher[modes.CBC]:
    check_key(key)
    return Cipher(algorithms.AES(key), modes.CBC(ZERO_IV))


def make_pad(length: int, random_bytes: RandomBytes) -> bytes:
    """``length`` random pad bytes; forbidden values are nudged to a neighbour (b ^ 1)."""
    raw = random_bytes(length)
    if len(raw) != length:
        raise LocalProtocolError(f"random source gave {len(raw)} bytes, not {length}")
    return bytes(byte ^ 1 if byte in PAD_FORBIDDEN else byte for byte in raw)


def encrypt_content(
    key: bytes, body: bytes, random_bytes: RandomBytes, *, separator: bool = True
) -> bytes:
    """Encrypt ``body`` (``data]x-data_ts``) and return the content ``[HEX…`` to send."""
    plain = (SEPARATOR if separator else b"") + body
    pad = make_pad(AES_BLOCK_BYTES - len(plain) % AES_BLOCK_BYTES, random_bytes)
    encryptor = _cipher(key).encryptor()
    ciphertext = encryptor.update(pad + plain) + encryptor.finalize()
    return b"[" + ciphertext.hex().upper().encode("ascii")


def decrypt_content(key: bytes, content: bytes) -> bytes:
    """Decrypt ``[HEX…`` and return the plaintext content ``[data]x-data_ts`` without the pad."""
    hex_text = content[1:]
    if not content.startswith(b"[") or not _HEX_TEXT.fullmatch(hex_text):
        raise DecryptionError("ciphertext is not whole AES blocks of hex digits")
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(bytes.fromhex(hex_text.decode("ascii"))) + decryptor.finalize()
    return b"[" + strip_pad(plain)


def strip_pad(plain: bytes) -> bytes:
    """Remove ``<pad>|`` (or ``<pad>`` before ``]`` when the data is empty and ``|`` missing)."""
    close = plain.find(b"]")
    if close < 0:
        raise DecryptionError("no ']' in the decrypted block: wrong key?")
    bar = plain.find(SEPARATOR, 0, close)
    pad, body = (plain[:bar], plain[bar + 1 :]) if bar >= 0 else (plain[:close], plain[close:])
    if b"[" in pad or any(byte < LOWEST_TEXT_BYTE for byte in body):
        raise DecryptionError("decrypted block is not DC-09 text: wrong key?")
    return body
