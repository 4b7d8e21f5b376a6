"""Time-based one-time codes (RFC 6238: 30-s steps, 6 digits, SHA-1, as every authenticator app
reads an otpauth:// URI). Pure: the time comes in, nothing is stored here.

A code is accepted for the step before, at and after now (a phone's clock a little off, a code
typed as it turned over) but only for a step after the last one accepted for that user, so a
code cannot be used twice: the caller stores the step returned.
"""

from __future__ import annotations

import hmac
from typing import Final

import pyotp

ISSUER: Final = "Posbon"
STEP_S: Final = 30
VALID_WINDOW: Final = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (from a QR code or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def step_at(now_s: float) -> int:
    return int(now_s // STEP_S)


def accepted_step(secret: str, code: str, last_step: int | None, now_s: float) -> int | None:
    """The step `code` is valid for at `now_s` (within one step either side), or None when it
    is wrong or its step is not after `last_step` (already used, or older than a used one)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = step_at(now_s)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_S), code):
            return step
    return None
