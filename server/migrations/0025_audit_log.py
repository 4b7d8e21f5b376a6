"""The audit log (issue 23): one append-only, hash-chained table of who did what, and its head.

`audit_head` holds one row: the newest entry's id and hash and how many entries there are (a
deleted last row shows as a head that points past the log), and the anchor, the newest entry
retention removed, which the oldest kept entry links to. SQLite ids are AUTOINCREMENT, so an
entry's id is never handed out twice. The head row is made by the first append
(server/audit/repository.py). `before` and `after` are canonical JSON text, hashed as
stored.
"""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-15T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log"


def statements(dialect: Dialect) -> Sequence[str]:
    serial = f"{dialect.serial} AUTOINCREMENT" if dialect.sqlite else dialect.serial
    return (
        "CREATE TABLE IF NOT EXISTS audit_log ("
        f"id {serial}, at TIMESTAMPTZ NOT NULL, actor VARCHAR(500) NOT NULL, "
        "actor_token_id INTEGER, user_id INTEGER, role VARCHAR(20) NOT NULL, "
        "action VARCHAR(100) NOT NULL, target VARCHAR(500) NOT NULL, "
        "outcome VARCHAR(40) NOT NULL, address VARCHAR(500) NOT NULL, "
        "before TEXT NOT NULL, after TEXT NOT NULL, detail TEXT NOT NULL, "
        "prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL)",
        "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
        "CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, id)",
        "CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor, id)",
        "CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target, id)",
        "CREATE TABLE IF NOT EXISTS audit_head ("
        "id INTEGER PRIMARY KEY CHECK (id = 1), last_id INTEGER NOT NULL, "
        "last_hash VARCHAR(64) NOT NULL, entries INTEGER NOT NULL, "
        "anchor_id INTEGER NOT NULL, anchor_hash VARCHAR(64) NOT NULL)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
