"""Share links to evidence for outside parties (issue 24): the links and the recordings each
covers (server/evidence/share_tables.py)."""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-12T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "evidence share links"


def statements(dialect: Dialect) -> Sequence[str]:
    # AUTOINCREMENT on SQLite: a share's id is named by custody entries, so it is never reused.
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if dialect.sqlite else "SERIAL PRIMARY KEY"
    return (
        "CREATE TABLE IF NOT EXISTS evidence_shares ("
        f"id {serial}, token_sha256 VARCHAR(64) NOT NULL UNIQUE, "
        f"recording_id {dialect.uuid_text} NULL DEFAULT NULL, "
        "incident_id INTEGER NULL DEFAULT NULL, recipient VARCHAR(200) NOT NULL, "
        "reason TEXT NOT NULL, mode VARCHAR(16) NOT NULL, expires_at TIMESTAMPTZ NOT NULL, "
        "pin_hash VARCHAR(200) NULL DEFAULT NULL, created_by VARCHAR(120) NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ NULL DEFAULT NULL, "
        "revoked_by VARCHAR(120) NULL DEFAULT NULL, revoke_reason TEXT NULL DEFAULT NULL, "
        "pin_failures INTEGER NOT NULL DEFAULT 0, locked_until TIMESTAMPTZ NULL DEFAULT NULL, "
        "access_count INTEGER NOT NULL DEFAULT 0, last_access_at TIMESTAMPTZ NULL DEFAULT NULL)",
        "CREATE INDEX IF NOT EXISTS evidence_shares_incident ON evidence_shares (incident_id)",
        "CREATE TABLE IF NOT EXISTS evidence_share_items ("
        f"id {serial}, share_id INTEGER NOT NULL, recording_id {dialect.uuid_text} NOT NULL, "
        "position INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS evidence_share_items_share "
        "ON evidence_share_items (share_id, position)",
        "CREATE INDEX IF NOT EXISTS evidence_share_items_recording "
        "ON evidence_share_items (recording_id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
