"""Evidence uploads (tus) and the custody log (issue 5), as DDL for SQLite and PostgreSQL."""

from server.ddl import ddl_migration

ID = "2026-11-25T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "evidence uploads and the hash-chained custody log"


def statements(serial: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE IF NOT EXISTS uploads ("
        "id VARCHAR(32) PRIMARY KEY, recording_id VARCHAR(36) NOT NULL, "
        "length BIGINT NOT NULL, upload_offset BIGINT NOT NULL DEFAULT 0, "
        "state VARCHAR(16) NOT NULL, metadata TEXT NOT NULL, owner VARCHAR(120) NOT NULL, "
        "expected_sha256 VARCHAR(64) NOT NULL, sha256 VARCHAR(64), category VARCHAR(40) "
        "NOT NULL DEFAULT '', created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, "
        "finished_at TIMESTAMPTZ)",
        "CREATE INDEX IF NOT EXISTS uploads_recording ON uploads (recording_id)",
        "CREATE INDEX IF NOT EXISTS uploads_expiry ON uploads (state, expires_at)",
        "CREATE TABLE IF NOT EXISTS custody ("
        f"id {serial}, recording_id VARCHAR(36) NOT NULL, at TIMESTAMPTZ NOT NULL, "
        "actor VARCHAR(120) NOT NULL, kind VARCHAR(30) NOT NULL, reason TEXT NOT NULL, "
        "data TEXT NOT NULL, prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL)",
        "CREATE INDEX IF NOT EXISTS custody_recording ON custody (recording_id, id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, lambda dialect: statements(dialect.serial))
