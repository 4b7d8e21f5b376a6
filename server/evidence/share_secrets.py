"""The secrets of a share link, pure: its token, its PIN's hash, and the cookie a right PIN earns.

The token is 256 random bits in the link; only its SHA-256 is stored, so a copy of the database
opens no link. The PIN is short, so its hash must be slow: scrypt with a random salt per share.

After a right PIN the browser holds a cookie `<expires>.<mac>` for a short while, so the PIN is
not asked again for every Range request of the player. The MAC's key is the share's stored PIN
hash (salt included), which never leaves the server: whoever holds the link but not the PIN
cannot make the cookie, and the cookie of one share opens no other. Nothing is kept for it, and
revocation and expiry still apply, since every request looks the share up first.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Final

TOKEN_BYTES: Final = 32
TOKEN_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""`secrets.token_urlsafe(32)`: 43 characters; anything else is no token of ours."""
SCRYPT_N: Final = 2**14
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
SALT_BYTES: Final = 16
PIN_HASH_BYTES: Final = 32
COOKIE_NAME: Final = "posbon_share"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    return TOKEN_PATTERN.match(text) is not None


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=PIN_HASH_BYTES)


def hash_pin(pin: str) -> str:
    """`scrypt$n$r$p$salt$hash` (hex): the parameters travel with the hash, so raising them
    later leaves older shares' PINs checkable. Slow on purpose: run it in a thread."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _scrypt(pin, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found.hex(), digest)


def _mac(pin_hash: str, token_sha256: str, expires_ts: int) -> str:
    message = f"{token_sha256}:{expires_ts}".encode()
    return hmac.new(pin_hash.encode(), message, hashlib.sha256).hexdigest()


def pin_cookie(pin_hash: str, token_sha256: str, expires_ts: int) -> str:
    """The cookie value that says "this browser gave the right PIN", until `expires_ts`."""
    return f"{expires_ts}.{_mac(pin_hash, token_sha256, expires_ts)}"


def cookie_admits(value: str | None, pin_hash: str, token_sha256: str, now_ts: float) -> bool:
    if not value:
        return False
    expires, _, mac = value.partition(".")
    if not expires.isdigit() or int(expires) <= now_ts:
        return False
    return hmac.compare_digest(mac, _mac(pin_hash, token_sha256, int(expires)))
