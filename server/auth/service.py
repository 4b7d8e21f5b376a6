"""Bearer tokens: random, shown once, stored only as a SHA-256 hash.

Revoking a token marks it in the database and rings the doorbell `token-revoked:<id>` after the
commit: every node that hears it forgets the token at once (instead of trusting its few
seconds of cache) and closes the sockets opened with it (server/sockets/revocation.py).

A revocation no doorbell announced (`posbon token revoke` run without the nodes' bus URL, so
its ring reaches no server: server/auth/tokens_cli.py; a bus that was down) is found by
`find_revoked`: every `REVOCATION_CHECK_S` each node asks the database which of the tokens it
trusts (those in its cache, those of its open sockets) are revoked, by primary key. The question
is about the state, not about changes since a moment, so no clock or missed change can hide a
revocation: a check that fails is made good by the next one.

Each token's last use is noted in memory on every request (and every socket heartbeat) and
written to `tokens.last_used_at` at most once per `LAST_USED_WRITE_S` per token, in a task of
its own: a request never waits for that write, and one that fails is logged, not answered. A
person's session unused for longer than `session_idle_timeout_s` is refused (401
`session_expired`) and revoked; before refusing, the stored last use is read, since the person
may have been using another node.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import secrets
import time
from collections.abc import Coroutine, Iterable
from typing import Any, Final

from server.audit.log import record
from server.auth import repository
from server.auth.limits import FailedLookups
from server.auth.schemas import (
    EVERYWHERE,
    IssuedToken,
    Principal,
    Role,
    Scope,
    TokenKind,
    TokenOut,
)
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
LAST_USED_WRITE_S: Final = 60.0
"""A token's last use is written at most this often (the idle timeout is minutes long)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    db: Database,
    name: str,
    role: Role,
    crew_id: int | None = None,
    scope: Scope = EVERYWHERE,
    *,
    actor: Principal | str = "system",
) -> IssuedToken:
    """Issue a token; `actor` (who issued it: a Principal, or "cli:<os user>") is recorded in
    the audit log with the token's id, name, role, crew and scope, never its secret."""
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
    async with db.write():
        token_id = await repository.insert(db, name, role, crew_id, hash_token(token), scope=scope)
        await record(
            db,
            action="token.create",
            actor=actor,
            target=f"token:{token_id}",
            after={"id": token_id, "name": name, "role": role, "crew_id": crew_id, "scope": scope},
        )
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


class _Uses:
    """When this process last saw each token used (epoch seconds), and last wrote that down, by
    the token's hash (unique for good, unlike an id in a database made anew). Bounded like the
    cache: when full it starts over, and the stored last use is read again."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._seen: dict[str, float] = {}
        self._written: dict[str, float] = {}

    def last_seen(self, key: str) -> float | None:
        return self._seen.get(key)

    def learn(self, key: str, at_s: float) -> None:
        if len(self._seen) >= self._max_entries:
            self._seen.clear()
            self._written.clear()
        self._seen[key] = max(at_s, self._seen.get(key, at_s))

    def write_due(self, key: str, now_s: float) -> bool:
        """Whether to write the last use now (and, if so, it counts as written)."""
        if now_s - self._written.get(key, -LAST_USED_WRITE_S) < LAST_USED_WRITE_S:
            return False
        self._written[key] = now_s
        return True


_recent = _RecentTokens(ttl_s=TOKEN_CACHE_S, max_entries=TOKEN_CACHE_ENTRIES)
_uses = _Uses(max_entries=TOKEN_CACHE_ENTRIES)
_writes: set[asyncio.Task[None]] = set()


async def authenticate(
    db: Database, token: str, *, idle_timeout_s: float | None = None
) -> Principal | None:
    """The live token's principal, or None; a session idle past `idle_timeout_s` is revoked
    and refused (401 `session_expired`)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_hash = hash_token(token)
    principal = _recent.get(token_hash)
    if principal is None:
        principal = await repository.find_by_hash(db, token_hash)
        if principal is not None:
            _recent.put(token_hash, principal)
    if principal is None:
        return None
    now_s = time.time()
    if (
        principal.kind is TokenKind.SESSION
        and idle_timeout_s is not None
        and await _idle(db, principal.token_id, token_hash, now_s, idle_timeout_s)
    ):
        await _expire(db, principal.token_id)
        raise Unauthorized(
            "This session was unused for too long and has ended; sign in again.",
            code="session_expired",
        )
    note_use(db, principal, token_hash, now_s)
    return principal


def note_use(
    db: Database, principal: Principal, token_hash: str, now_s: float | None = None
) -> None:
    """The token was used just now (a request, a socket's heartbeat): noted in memory, and
    written down in a task of its own when the last write is `LAST_USED_WRITE_S` old."""
    now_s = time.time() if now_s is None else now_s
    _uses.learn(token_hash, now_s)
    if _uses.write_due(token_hash, now_s):
        _spawn(_write_last_use(db, principal.token_id, now_s))


def _spawn(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _writes.add(task)
    task.add_done_callback(_writes.discard)


async def settle_uses(timeout_s: float = 5.0) -> None:
    """Let the last-use writes under way finish (a node stopping: before its database closes,
    so no write is cut off holding SQLite's one writer); any still running after `timeout_s`
    are cancelled, losing only a note of last use."""
    loop = asyncio.get_running_loop()
    pending = {task for task in _writes if not task.done() and task.get_loop() is loop}
    if not pending:
        return
    _, late = await asyncio.wait(pending, timeout=timeout_s)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)


async def _write_last_use(db: Database, token_id: int, at_s: float) -> None:
    try:
        async with db.write():
            await repository.mark_used(db, token_id, dt.datetime.fromtimestamp(at_s, dt.UTC))
    except Exception:  # a note of last use must never fail anyone's request
        logger.warning("could not note the last use of token %s", token_id, exc_info=True)


async def _idle(
    db: Database, token_id: int, token_hash: str, now_s: float, idle_timeout_s: float
) -> bool:
    """Whether the session was unused for longer than `idle_timeout_s`, by this node's memory
    or, when that says so (or knows nothing), by what every node wrote down."""
    seen = _uses.last_seen(token_hash)
    if seen is not None and now_s - seen <= idle_timeout_s:
        return False
    stored = await repository.last_used_at(db, token_id)
    if stored is not None:
        _uses.learn(token_hash, stored.timestamp())
    seen = _uses.last_seen(token_hash)
    return seen is None or now_s - seen > idle_timeout_s


async def _expire(db: Database, token_id: int) -> None:
    async with db.write():
        await repository.revoke(db, token_id)
        announce_revoked(db, [token_id])
    forget([token_id])


async def identify(
    db: Database,
    token: str,
    address: str,
    failures: FailedLookups,
    *,
    idle_timeout_s: float | None = None,
) -> Principal:
    """The principal of a presented token; an address that keeps presenting unknown tokens is
    refused without a lookup for a while (server/auth/limits.py)."""
    refusal = failures.refusal(address)
    if refusal is not None:
        raise refusal
    principal = await authenticate(db, token, idle_timeout_s=idle_timeout_s)
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


async def list_tokens(
    db: Database,
    limit: int,
    offset: int,
    *,
    kind: TokenKind | None = None,
    revoked: bool | None = None,
) -> list[TokenOut]:
    return await repository.listed(db, limit, offset, kind=kind, revoked=revoked)


async def revoke_token(db: Database, token_id: int, *, actor: Principal | str = "system") -> None:
    """Revoke one token (again is harmless); its sockets close on every node that hears it."""
    async with db.write():
        if not await repository.exists(db, token_id):
            raise NotFound(f"There is no token with id {token_id}.", code="token_not_found")
        await repository.revoke(db, token_id)
        await record(db, action="token.revoke", actor=actor, target=f"token:{token_id}")
        announce_revoked(db, [token_id])
    forget([token_id])


async def revoke_crew_tokens(db: Database, crew_id: int) -> list[int]:
    """Inside the caller's write (a crew being deleted): revoke every token of the crew."""
    revoked = await repository.revoke_for_crew(db, crew_id)
    announce_revoked(db, revoked)
    return revoked
