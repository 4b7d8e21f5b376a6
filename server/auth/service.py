"""Bearer tokens: random, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Final

from server.auth import repository
from server.auth.schemas import IssuedToken, Principal, Role
from server.crews.repository import crews
from server.errors import BadRequest

TOKEN_PREFIX: Final = "pb_"  # noqa: S105  (a prefix, not a secret)
TOKEN_BYTES: Final = 32
TOKEN_CACHE_S: Final = 10.0
TOKEN_CACHE_ENTRIES: Final = 10_000


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(name: str, role: Role, crew_id: int | None = None) -> IssuedToken:
    if role is Role.crew and crew_id is None:
        raise BadRequest(
            "A crew token belongs to one crew: add --crew CREW_ID (GET /api/v1/crews lists "
            "the crews and their ids).",
            code="crew_required",
        )
    if role is not Role.crew and crew_id is not None:
        raise BadRequest(
            f"Only crew tokens belong to a crew: leave out --crew, or use --role crew "
            f"(this token's role is {role.value}).",
            code="crew_not_allowed",
        )
    # The tokens table keeps no foreign key, so a token for a crew that does not exist would be
    # issued and then fail on every sync and socket of the tablet that holds it.
    if crew_id is not None and await crews.find(crew_id) is None:
        raise BadRequest(
            f"There is no crew with id {crew_id}: import it first (posbon crews import) or "
            "give the id of an existing crew (GET /api/v1/crews lists them).",
            code="crew_unknown",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token_id = await repository.insert(name, role, crew_id, hash_token(token))
    return IssuedToken(id=token_id, name=name, role=role, crew_id=crew_id, token=token)


class _RecentTokens:
    """Tokens seen in the last few seconds, so a busy tablet does not cost a query per request.
    Bounded; a token created since is looked up anyway (misses are not remembered)."""

    def __init__(self, ttl_s: float, max_entries: int) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token_hash: str) -> Principal | None:
        found = self._entries.get(token_hash)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, token_hash: str, principal: Principal) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[token_hash] = (time.monotonic() + self._ttl_s, principal)


_recent = _RecentTokens(ttl_s=TOKEN_CACHE_S, max_entries=TOKEN_CACHE_ENTRIES)


async def authenticate(token: str) -> Principal | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_hash = hash_token(token)
    principal = _recent.get(token_hash)
    if principal is None:
        principal = await repository.find_by_hash(token_hash)
        if principal is not None:
            _recent.put(token_hash, principal)
    return principal
