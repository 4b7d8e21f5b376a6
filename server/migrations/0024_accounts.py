"""Accounts for people (issue 23): a `users` table (password hash, TOTP secret, lockout, scope)
and, on `tokens`, what a session and a scoped token need. A signed-in browser holds a session,
which is a row of `tokens` of kind `session` owned by a user: revoking it (sign out, sign out
everywhere, a disabled account) goes through the same doorbell and one-second check as any token.

`scope` is canonical JSON of server/auth/schemas.py `Scope` ("{}": nothing narrower than the
role). `last_used_at` is written at most once a minute per token (server/auth/service.py).
"""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-15T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts, sessions and scoped tokens"


def statements(dialect: Dialect) -> Sequence[str]:
    serial = f"{dialect.serial} AUTOINCREMENT" if dialect.sqlite else dialect.serial
    return (
        "CREATE TABLE IF NOT EXISTS users ("
        f"id {serial}, username VARCHAR(120) NOT NULL UNIQUE, "
        "display_name VARCHAR(200) NOT NULL DEFAULT '', role VARCHAR(20) NOT NULL, "
        "source VARCHAR(10) NOT NULL DEFAULT 'local', password_hash VARCHAR(200), "
        "totp_secret VARCHAR(64), totp_required BOOLEAN NOT NULL DEFAULT FALSE, "
        "scope TEXT NOT NULL DEFAULT '{}', failed_attempts INTEGER NOT NULL DEFAULT 0, "
        "locked_until TIMESTAMPTZ, disabled BOOLEAN NOT NULL DEFAULT FALSE, "
        "created_at TIMESTAMPTZ NOT NULL)",
        "ALTER TABLE tokens ADD COLUMN kind VARCHAR(10) NOT NULL DEFAULT 'token'",
        "ALTER TABLE tokens ADD COLUMN user_id INTEGER",
        "ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE tokens ADD COLUMN last_used_at TIMESTAMPTZ",
        "ALTER TABLE tokens ADD COLUMN expires_at TIMESTAMPTZ",
        "CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
