"""UUIDv7 (RFC 9562 §5.7) ids generated on the device, time passed in.

48 bits of Unix milliseconds, then version 7, 12 random bits, the variant, and 62 random bits.
Ids made later sort later, so they index well and make a rough creation order visible.
"""

from __future__ import annotations

import os
import uuid
from typing import Final

UNIX_MS_BITS: Final = 48
RANDOM_BYTES: Final = 10
_MAX_UNIX_MS: Final = (1 << UNIX_MS_BITS) - 1
_VERSION: Final = 7
_VARIANT: Final = 0b10


def uuid7(unix_ms: int, random_bytes: bytes | None = None) -> uuid.UUID:
    """Return a UUIDv7 for ``unix_ms``; ``random_bytes`` (10 bytes) defaults to os.urandom."""
    if not 0 <= unix_ms <= _MAX_UNIX_MS:
        raise ValueError(f"unix_ms {unix_ms} does not fit in {UNIX_MS_BITS} bits")
    entropy = os.urandom(RANDOM_BYTES) if random_bytes is None else random_bytes
    if len(entropy) != RANDOM_BYTES:
        raise ValueError(f"uuid7 needs exactly {RANDOM_BYTES} random bytes")
    rand = int.from_bytes(entropy, "big")
    rand_a = rand >> 68  # the top 12 of the 80 random bits
    rand_b = rand & ((1 << 62) - 1)
    value = (unix_ms << 80) | (_VERSION << 76) | (rand_a << 64) | (_VARIANT << 62) | rand_b
    return uuid.UUID(int=value)


def uuid7_unix_ms(value: uuid.UUID) -> int:
    """The Unix milliseconds embedded in a UUIDv7."""
    if value.version != _VERSION:
        raise ValueError(f"{value} is not a UUIDv7")
    return value.int >> 80
