"""Bearer tokens: random, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from server.auth import repository
from server.auth.schemas import IssuedToken, Principal, Role
from server.errors import BadRequest

TOKEN_PREFIX: Final = "pb_"  # noqa: S105  (a prefix, not a secret)
TOKEN_BYTES: Final = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(name: str, role: Role, crew_id: int | None = None) -> IssuedToken:
    if role is Role.crew and crew_id is None:
        raise BadRequest("a crew token needs --crew CREW_ID", code="crew_required")
    if role is not Role.crew and crew_id is not None:
        raise BadRequest("only crew tokens are bound to a crew", code="crew_not_allowed")
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token_id = await repository.insert(name, role, crew_id, hash_token(token))
    return IssuedToken(id=token_id, name=name, role=role, crew_id=crew_id, token=token)


async def authenticate(token: str) -> Principal | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return await repository.find_by_hash(hash_token(token))
