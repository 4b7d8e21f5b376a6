"""Bearer tokens as stored (only their hashes).

Writes: tokens
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Final

import msgspec

from server.auth.schemas import EVERYWHERE, Principal, Role, Scope, TokenKind, TokenOut
from server.auth.tables import Token
from server.db import Database

IN_LIST_CHUNK: Final = 1000
"""Ids per query: far below what SQLite and asyncpg allow as parameters."""


_scope_encoder = msgspec.json.Encoder(order="sorted")
_scope_decoder = msgspec.json.Decoder(Scope)


def scope_text(scope: Scope) -> str:
    """A scope as the `scope` columns keep it: canonical JSON, "{}" for no narrower scope."""
    return _scope_encoder.encode(scope).decode()


def scope_of(text: str | None) -> Scope:
    return EVERYWHERE if not text else _scope_decoder.decode(text)


async def insert(
    db: Database,
    name: str,
    role: Role,
    crew_id: int | None,
    token_hash: str,
    *,
    scope: Scope = EVERYWHERE,
    kind: TokenKind = TokenKind.TOKEN,
    user_id: int | None = None,
    expires_at: dt.datetime | None = None,
) -> int:
    row = Token(
        name=name,
        role=role.value,
        crew_id=crew_id,
        token_hash=token_hash,
        created_at=dt.datetime.now(dt.UTC),
        kind=kind.value,
        user_id=user_id,
        scope=scope_text(scope),
        expires_at=expires_at,
    )
    rows = await db.run(Token.insert(row).returning(Token.id))
    return int(rows[0]["id"])


async def find_by_hash(db: Database, token_hash: str) -> Principal | None:
    """The live token with this hash (not revoked, not past its `expires_at`)."""
    rows = await db.run(
        Token.select(
            Token.id,
            Token.name,
            Token.role,
            Token.crew_id,
            Token.scope,
            Token.user_id,
            Token.kind,
            Token.expires_at,
        )
        .where((Token.token_hash == token_hash) & (Token.revoked == False))  # noqa: E712
        .limit(1)
    )
    if not rows:
        return None
    row = rows[0]
    expires_at = row["expires_at"]
    if expires_at is not None and expires_at <= dt.datetime.now(dt.UTC):
        return None
    return Principal(
        token_id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        crew_id=row["crew_id"],
        scope=scope_of(row["scope"]),
        user_id=row["user_id"],
        kind=TokenKind(row["kind"]),
    )


async def listed(
    db: Database,
    limit: int,
    offset: int,
    *,
    kind: TokenKind | None = None,
    revoked: bool | None = None,
) -> list[TokenOut]:
    """A page of tokens by id; `kind` and `revoked` narrow it when given."""
    query = Token.select(
        Token.id,
        Token.name,
        Token.role,
        Token.crew_id,
        Token.revoked,
        Token.created_at,
        Token.kind,
        Token.user_id,
        Token.scope,
        Token.last_used_at,
    )
    if kind is not None:
        query = query.where(Token.kind == kind.value)
    if revoked is not None:
        query = query.where(Token.revoked == revoked)
    rows = await db.run(query.order_by(Token.id).limit(limit).offset(offset))
    return [
        msgspec.convert({**row, "scope": scope_of(row["scope"])}, TokenOut, strict=False)
        for row in rows
    ]


async def crew_exists(db: Database, crew_id: int) -> bool:
    """Whether the crews table holds this crew: a read of a table crews writes, by SQL so that
    auth, which every domain imports, imports no domain."""
    return await db.fetch_one("SELECT 1 AS found FROM crews WHERE id = {}", crew_id) is not None


async def exists(db: Database, token_id: int) -> bool:
    return bool(await db.run(Token.select(Token.id).where(Token.id == token_id).limit(1)))


async def revoke(db: Database, token_id: int) -> None:
    await db.run(Token.update({Token.revoked: True}).where(Token.id == token_id))


async def revoke_for_crew(db: Database, crew_id: int) -> list[int]:
    """Revoke every live token of the crew; returns their ids."""
    rows = await db.run(
        Token.select(Token.id).where((Token.crew_id == crew_id) & (Token.revoked == False))  # noqa: E712
    )
    ids = [int(row["id"]) for row in rows]
    if ids:
        await db.run(Token.update({Token.revoked: True}).where(Token.id.is_in(ids)))
    return ids


async def revoked_among(db: Database, token_ids: Collection[int]) -> set[int]:
    """Which of these tokens are revoked (or gone)."""
    wanted = sorted(set(token_ids))
    live: set[int] = set()
    for start in range(0, len(wanted), IN_LIST_CHUNK):
        chunk = wanted[start : start + IN_LIST_CHUNK]
        rows = await db.run(
            Token.select(Token.id).where(Token.id.is_in(chunk) & (Token.revoked == False))  # noqa: E712
        )
        live.update(int(row["id"]) for row in rows)
    return set(wanted) - live


async def revoke_sessions_of(db: Database, user_id: int) -> list[int]:
    """Revoke every live session of a person (sign out everywhere, a disabled account); returns
    their ids."""
    live = (Token.user_id == user_id) & (Token.kind == TokenKind.SESSION.value)
    rows = await db.run(Token.select(Token.id).where(live & (Token.revoked == False)))  # noqa: E712
    ids = [int(row["id"]) for row in rows]
    if ids:
        await db.run(Token.update({Token.revoked: True}).where(Token.id.is_in(ids)))
    return ids


async def mark_used(db: Database, token_id: int, at: dt.datetime) -> None:
    """Note a token's last use (never moved backwards, by a late write from another node)."""
    newer = Token.last_used_at.is_null() | (Token.last_used_at < at)
    await db.run(Token.update({Token.last_used_at: at}).where((Token.id == token_id) & newer))


async def last_used_at(db: Database, token_id: int) -> dt.datetime | None:
    rows = await db.run(Token.select(Token.last_used_at).where(Token.id == token_id).limit(1))
    return rows[0]["last_used_at"] if rows else None
