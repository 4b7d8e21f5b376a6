"""People as stored: a password hash and TOTP secret beside the account, never outside this
module and the service that verifies them.

Usernames are kept lower-case, so `Alice` and `alice` are one account.

Writes: users
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from piccolo.columns import Column

from server.accounts.schemas import Account, Source
from server.accounts.tables import User
from server.auth.repository import scope_of, scope_text
from server.auth.schemas import EVERYWHERE, Role, Scope
from server.db import Database
from server.sql import INTEGRITY_ERRORS


class StoredUser(msgspec.Struct, frozen=True, kw_only=True):
    """A user row with what only sign-in may read."""

    account: Account
    password_hash: str | None
    totp_secret: str | None
    totp_last_step: int | None
    failed_attempts: int
    locked_until: dt.datetime | None


def canonical(username: str) -> str:
    return username.strip().lower()


def _account(row: dict[str, Any]) -> Account:
    return Account(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        source=Source(row["source"]),
        scope=scope_of(row["scope"]),
        totp_required=bool(row["totp_required"]),
        disabled=bool(row["disabled"]),
    )


def _stored(row: dict[str, Any]) -> StoredUser:
    return StoredUser(
        account=_account(row),
        password_hash=row["password_hash"],
        totp_secret=row["totp_secret"],
        totp_last_step=row["totp_last_step"],
        failed_attempts=row["failed_attempts"],
        locked_until=row["locked_until"],
    )


async def find(db: Database, username: str, *, for_update: bool = False) -> StoredUser | None:
    query = User.select().where(User.username == canonical(username)).limit(1)
    if for_update and not db.is_sqlite:
        query = query.lock_rows("UPDATE")
    rows = await db.run(query)
    return _stored(rows[0]) if rows else None


async def find_by_id(db: Database, user_id: int) -> Account | None:
    rows = await db.run(User.select().where(User.id == user_id).limit(1))
    return _account(rows[0]) if rows else None


async def listed(db: Database) -> list[Account]:
    return [_account(row) for row in await db.run(User.select().order_by(User.id))]


async def insert(
    db: Database,
    *,
    username: str,
    display_name: str,
    role: Role,
    source: Source,
    password_hash: str | None = None,
    totp_secret: str | None = None,
    totp_required: bool = False,
    scope: Scope = EVERYWHERE,
) -> int | None:
    """The new user's id, or None when the username is taken."""
    row = User(
        username=canonical(username),
        display_name=display_name,
        role=role.value,
        source=source.value,
        password_hash=password_hash,
        totp_secret=totp_secret,
        totp_required=totp_required,
        scope=scope_text(scope),
        created_at=dt.datetime.now(dt.UTC),
    )
    try:
        rows = await db.run(User.insert(row).returning(User.id))
    except INTEGRITY_ERRORS:
        return None
    return int(rows[0]["id"])


async def update(db: Database, user_id: int, **changes: Any) -> None:
    """Set columns of one user by name (`scope` as a Scope, `role` as a Role)."""
    if "scope" in changes:
        changes["scope"] = scope_text(changes["scope"])
    if "role" in changes:
        changes["role"] = Role(changes["role"]).value
    values: dict[Column | str, Any] = dict(changes.items())
    await db.run(User.update(values).where(User.id == user_id))
