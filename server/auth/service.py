"""Bearer tokens: random, shown once, stored only as a SHA-256 hash.

Revoking a token marks it in the database and rings the doorbell `token-revoked:<id>` after the
commit: every node that hears it forgets the token at once (instead of trusting its few
seconds of cache) and closes the sockets opened with it (server/sockets/revocation.py).

A revocation no doorbell announced (`posbon token revoke` runs in its own process, whose bus
reaches no server; a bus that was down) is found by `find_revoked`: every
`REVOCATION_CHECK_S` each node asks the database which of the tokens it trusts (those in its
cache, those of its open sockets) are revoked, by primary key. The question is about the state,
not about changes since a moment, so no clock or missed change can hide a revocation: a check
that fails is made good by the next one.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Final

from server.auth import repository
from server.auth.limits import FailedLookups
from server.auth.schemas import EVERYWHERE, IssuedToken, Principal, Role, Scope, TokenOut
from server.db import Database
from server.errors import BadRequest, NotFound, Unauthorized

logger = logging.getLogger(__name__)

TOKEN_PREFIX: Final = "pb_"  # noqa: S105  (a prefix, not a secret)
TOKEN_BYTES: Final = 32
TOKEN_CACHE_S: Final = 10.0
TOKEN_CACHE_ENTRIES: Final = 10_000
REVOCATION_CHECK_S: Final = 1.0
"""How often each node asks the database which of the tokens it trusts are revoked: one indexed
query a second (1,000 ids to a query), so a revocation by another process takes about a second."""
REVOKED_PREFIX: Final = "token-revoked:"
"""The doorbell name a revocation rings (never an outbox stream)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    db: Database, name: str, role: Role, crew_id: int | None = None, scope: Scope = EVERYWHERE
) -> IssuedToken:
    if role is Role.CREW and crew_id is None:
        raise BadRequest(
            "A crew token belongs to one crew: add --crew CREW_ID (GET /api/v1/crews lists "
            "the crews and their ids).",
            code="crew_required",
        )
    if role is not Role.CREW and crew_id is not None:
        raise BadRequest(
            f"Only crew tokens belong to a crew: leave out --crew, or use --role crew "
            f"(this token's role is {role.value}).",
            code="crew_not_allowed",
        )
    # The tokens table keeps no foreign key, so a token for a crew that does not exist would be
    # issued and then fail on every sync and socket of the tablet that holds it.
    if crew_id is not None and not await repository.crew_exists(db, crew_id):
        raise BadRequest(
            f"There is no crew with id {crew_id}: import it first (posbon crews import) or "
            "give the id of an existing crew (GET /api/v1/crews lists them).",
            code="crew_unknown",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token_id = await repository.insert(db, name, role, crew_id, hash_token(token), scope=scope)
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

    def token_ids(self) -> set[int]:
        """The tokens this cache would let through now."""
        now = time.monotonic()
        return {
            principal.token_id for expires, principal in self._entries.values() if expires >= now
        }

    def forget(self, token_ids: Iterable[int]) -> None:
        gone = set(token_ids)
        for token_hash, (_, principal) in list(self._entries.items()):
            if principal.token_id in gone:
                del self._entries[token_hash]


_recent = _RecentTokens(ttl_s=TOKEN_CACHE_S, max_entries=TOKEN_CACHE_ENTRIES)


async def authenticate(db: Database, token: str) -> Principal | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_hash = hash_token(token)
    principal = _recent.get(token_hash)
    if principal is None:
        principal = await repository.find_by_hash(db, token_hash)
        if principal is not None:
            _recent.put(token_hash, principal)
    return principal


async def identify(db: Database, token: str, address: str, failures: FailedLookups) -> Principal:
    """The principal of a presented token; an address that keeps presenting unknown tokens is
    refused without a lookup for a while (server/auth/limits.py)."""
    refusal = failures.refusal(address)
    if refusal is not None:
        raise refusal
    principal = await authenticate(db, token)
    if principal is None:
        if failures.failed(address):
            logger.warning(
                "%s presented more than %s unknown tokens within %s s; refused for %s s",
                address,
                failures.max_failures,
                failures.window_s,
                failures.block_s,
            )
        raise Unauthorized("This token is unknown or revoked.", code="token_invalid")
    return principal


def revoked_signal(token_id: int) -> str:
    return f"{REVOKED_PREFIX}{token_id}"


def revoked_in(names: Iterable[str]) -> set[int]:
    """The token ids a doorbell says were revoked."""
    return {
        int(name.removeprefix(REVOKED_PREFIX))
        for name in names
        if name.startswith(REVOKED_PREFIX) and name.removeprefix(REVOKED_PREFIX).isdigit()
    }


def forget(token_ids: Iterable[int]) -> None:
    """Drop revoked tokens from this process's cache, so they stop working now."""
    _recent.forget(token_ids)


async def find_revoked(db: Database, also: Iterable[int] = ()) -> set[int]:
    """Which of the tokens this process trusts (cached, or `also`: those of its open sockets)
    the database says are revoked now; they are forgotten before this returns."""
    trusted = _recent.token_ids() | set(also)
    if not trusted:
        return set()
    revoked = await repository.revoked_among(db, trusted)
    forget(revoked)
    return revoked


def announce_revoked(db: Database, token_ids: Iterable[int]) -> None:
    """Inside the revoking write: ring `token-revoked:<id>` once it commits."""
    for token_id in token_ids:
        db.touch(revoked_signal(token_id))


async def list_tokens(db: Database, limit: int, offset: int) -> list[TokenOut]:
    return await repository.listed(db, limit, offset)


async def revoke_token(db: Database, token_id: int) -> None:
    """Revoke one token (again is harmless); its sockets close on every node that hears it."""
    async with db.write():
        if not await repository.exists(db, token_id):
            raise NotFound(f"There is no token with id {token_id}.", code="token_not_found")
        await repository.revoke(db, token_id)
        announce_revoked(db, [token_id])
    forget([token_id])


async def revoke_crew_tokens(db: Database, crew_id: int) -> list[int]:
    """Inside the caller's write (a crew being deleted): revoke every token of the crew."""
    revoked = await repository.revoke_for_crew(db, crew_id)
    announce_revoked(db, revoked)
    return revoked
