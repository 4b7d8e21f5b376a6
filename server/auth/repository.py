from __future__ import annotations

import datetime as dt

from server.auth.schemas import Principal, Role
from server.auth.tables import Token


async def insert(name: str, role: Role, crew_id: int | None, token_hash: str) -> int:
    rows = await Token.insert(
        Token(
            name=name,
            role=role.value,
            crew_id=crew_id,
            token_hash=token_hash,
            created_at=dt.datetime.now(dt.UTC),
        )
    ).returning(Token.id)
    return int(rows[0]["id"])


async def find_by_hash(token_hash: str) -> Principal | None:
    row = await (
        Token.select(Token.id, Token.name, Token.role, Token.crew_id)
        .where((Token.token_hash == token_hash) & (Token.revoked == False))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    return Principal(
        token_id=row["id"], name=row["name"], role=Role(row["role"]), crew_id=row["crew_id"]
    )
