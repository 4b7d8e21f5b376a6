"""Passwords as stored: argon2id hashes (argon2-cffi's defaults, RFC 9106's low-memory choice).

Hashing and verifying cost tens of milliseconds of CPU on purpose, so the async callers run them
in a thread. A sign-in for an unknown user verifies a fixed dummy hash, so that the time of the
answer does not tell which usernames exist.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_CHARS: Final = 8
_hasher: Final = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("no such user: this hash is only ever verified, never matched")


def verify_nothing(password: str) -> bool:
    """As long as a real verification, and always False (for a username that does not exist)."""
    verify_password(_dummy_hash(), password)
    return False


async def verify_in_thread(stored_hash: str | None, password: str) -> bool:
    if stored_hash is None:
        return await asyncio.to_thread(verify_nothing, password)
    return await asyncio.to_thread(verify_password, stored_hash, password)


async def hash_in_thread(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"A password needs at least {MIN_PASSWORD_CHARS} characters."
    return None
